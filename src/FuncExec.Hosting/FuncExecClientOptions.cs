namespace FuncExec;

/// <summary>
/// The <see cref="ICluster"/> that <c>AddFuncExecClient</c> registers, bound from the configuration section
/// <c>FuncExec:Client</c>: a remote cluster when <see cref="Scheduler"/> is set, else an embedded one in this process.
/// </summary>
/// <remarks>
/// Defaults: no scheduler (an embedded cluster with one worker per core, as <see cref="Cluster.StartLocalAsync"/>);
/// for a remote cluster, the secret from <c>$FUNCEXEC_SECRET</c>, else the one a scheduler on this machine generated, and
/// a 5 s connect timeout.
/// </remarks>
public sealed class FuncExecClientOptions
{
    /// <summary>The scheduler to connect to, <c>host:port</c>; null or empty for an embedded cluster.</summary>
    /// <remarks>Default: null.</remarks>
    public string? Scheduler { get; set; }

    /// <summary>The cluster secret, for a remote cluster.</summary>
    /// <remarks>Default: null, for <see cref="SecretFile"/>, else <c>$FUNCEXEC_SECRET</c>, else the one a scheduler on
    /// this machine generated.</remarks>
    public string? Secret { get; set; }

    /// <summary>A file holding the cluster secret (readable by its owner only), for a remote cluster.</summary>
    /// <remarks>Default: null.</remarks>
    public string? SecretFile { get; set; }

    /// <summary>A PEM certificate: the only one the client trusts from the scheduler.</summary>
    /// <remarks>Default: null, to trust the certificate the secret vouches for.</remarks>
    public string? CertFile { get; set; }

    /// <summary>The PEM private key of <see cref="CertFile"/>, to present it as the client's own (mutual TLS).</summary>
    /// <remarks>Default: null.</remarks>
    public string? KeyFile { get; set; }

    /// <summary>How long connecting to the scheduler may take.</summary>
    /// <remarks>Default: 5 seconds.</remarks>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Workers of an embedded cluster: N starts N, 0 one per core, -N all cores but N.</summary>
    /// <remarks>Default: 0.</remarks>
    public int Workers { get; set; }

    /// <summary>Where an embedded cluster's node caches components.</summary>
    /// <remarks>Default: null, for <c>funcexec-USER/components</c> in the temporary folder.</remarks>
    public string? DestPath { get; set; }
}
