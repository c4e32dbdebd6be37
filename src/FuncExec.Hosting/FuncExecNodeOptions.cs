namespace FuncExec;

/// <summary>
/// The node that <c>AddFuncExecNode</c> runs as a hosted service, bound from the configuration section
/// <c>FuncExec:Node</c>; the settings of <c>funcexec node</c>, whose options set the same keys.
/// </summary>
/// <remarks>
/// Defaults, as <c>funcexec node</c>: one worker per core; the scheduler found by UDP discovery on port 9700; a drain of
/// up to 30 s when the host stops.
/// </remarks>
public sealed class FuncExecNodeOptions
{
    /// <summary><c>host:port</c> of the scheduler, or a comma-separated list of a scheduler and its standbys, tried in turn.</summary>
    /// <remarks>Default: null, to find one by UDP broadcast on <see cref="UdpPort"/>.</remarks>
    public string? Scheduler { get; set; }

    /// <summary>Workers: N starts N, 0 one per core, -N all cores but N.</summary>
    /// <remarks>Default: 0.</remarks>
    public int Cpus { get; set; }

    /// <summary>The local address of this node.</summary>
    /// <remarks>Default: null, for any.</remarks>
    public string? IpAddr { get; set; }

    /// <summary>The address others should use for this node (NAT).</summary>
    /// <remarks>Default: null.</remarks>
    public string? ExtIpAddr { get; set; }

    /// <summary>The UDP port for scheduler discovery.</summary>
    /// <remarks>Default: 9700.</remarks>
    public int UdpPort { get; set; } = 9700;

    /// <summary>The node's name.</summary>
    /// <remarks>Default: the machine's name.</remarks>
    public string Name { get; set; } = Environment.MachineName;

    /// <summary>Where components are cached.</summary>
    /// <remarks>Default: null, for <c>funcexec-USER/components</c> in the temporary folder.</remarks>
    public string? DestPath { get; set; }

    /// <summary>The largest component file accepted, in bytes.</summary>
    /// <remarks>Default: 10 MiB.</remarks>
    public long MaxFileSize { get; set; } = 10L * 1024 * 1024;

    /// <summary>The most bytes of components cached in <see cref="DestPath"/>.</summary>
    /// <remarks>Default: 2 GiB.</remarks>
    public long MaxStoreSize { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>The cluster secret.</summary>
    /// <remarks>Default: null, for <see cref="SecretFile"/>, else <c>$FUNCEXEC_SECRET</c>, else the one a scheduler on
    /// this machine generated.</remarks>
    public string? Secret { get; set; }

    /// <summary>A file holding the cluster secret (readable by its owner only).</summary>
    /// <remarks>Default: null.</remarks>
    public string? SecretFile { get; set; }

    /// <summary>A PEM certificate: the only one the node trusts from the scheduler.</summary>
    /// <remarks>Default: null, to trust the certificate the secret vouches for.</remarks>
    public string? CertFile { get; set; }

    /// <summary>The PEM private key of <see cref="CertFile"/>, to present it as the node's own (mutual TLS).</summary>
    /// <remarks>Default: null.</remarks>
    public string? KeyFile { get; set; }

    /// <summary>
    /// How long a stopping node waits for its running tasks to finish. It takes no new task meanwhile and hands back
    /// those it holds but has not started; tasks still running at the end are killed, and the scheduler queues them again
    /// for another node without using an attempt. The host's shutdown timeout, when shorter, cuts the drain short too.
    /// </summary>
    /// <remarks>Default: 30 seconds.</remarks>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
