namespace FuncExec.Cli.SshCluster;

/// <summary>One host of a hosts file, with the file-wide defaults already applied.</summary>
internal sealed record ClusterHost
{
    /// <summary>Where the remote folder lives unless the hosts file says otherwise.</summary>
    public const string DefaultRemoteDir = "~/.funcexec";

    /// <summary>The node's name: in the scheduler, in the pid file and log names on the host.</summary>
    public required string Name { get; init; }

    /// <summary>The host name or address to ssh to.</summary>
    public required string Host { get; init; }

    /// <summary>The user to log in as; null lets ssh decide (the ssh config, else the local user).</summary>
    public string? User { get; init; }

    /// <summary>The ssh port; null lets ssh decide (the ssh config, else 22).</summary>
    public int? Port { get; init; }

    /// <summary>The hosts file line that names the host, for messages.</summary>
    public int Line { get; init; }

    /// <summary>Workers on the node, passed as <c>funcexec node -c</c>; null for the node's default (one per core).</summary>
    public int? Cpus { get; init; }

    /// <summary>The node's <c>--dest-path</c> on the host.</summary>
    public string? DestPath { get; init; }

    /// <summary>A private key here, offered alone to the host (<c>ssh -i KEY -o IdentitiesOnly=yes</c>).</summary>
    public string? Identity { get; init; }

    /// <summary>An ssh config file here, used instead of the user's (<c>ssh -F</c>).</summary>
    public string? SshConfig { get; init; }

    /// <summary>Extra <c>ssh -o</c> options, the host's own first: ssh keeps the first value it is given for an option.</summary>
    public IReadOnlyList<string> SshOptions { get; init; } = [];

    /// <summary>The scheduler host the node dials; null for this machine's address as the host sees it.</summary>
    public string? SchedulerHost { get; init; }

    /// <summary>The scheduler port the node dials.</summary>
    public int SchedulerPort { get; init; } = SchedulerAddress.DefaultPort;

    /// <summary>A PEM certificate here, copied to the host for the node's <c>--certfile</c>.</summary>
    public string? CertFile { get; init; }

    /// <summary>The certificate's PEM key here, copied to the host (readable by its user only) for the node's <c>--keyfile</c>.</summary>
    public string? KeyFile { get; init; }

    /// <summary>The folder on the host for installed builds, pid files and logs.</summary>
    public string RemoteDir { get; init; } = DefaultRemoteDir;

    /// <summary>The <c>dotnet</c> program on the host; null to look for it.</summary>
    public string? Dotnet { get; init; }

    /// <summary><c>funcexec.dll</c> or the <c>funcexec</c> program on the host; null to look for it.</summary>
    public string? Funcexec { get; init; }

    /// <summary>More arguments for <c>funcexec node</c>, file-wide ones first.</summary>
    public IReadOnlyList<string> NodeArgs { get; init; } = [];

    /// <summary>How ssh is told where to go: <c>user@host</c> or <c>host</c>.</summary>
    public string Destination => User is null ? Host : $"{User}@{Host}";

    /// <summary>The host as the hosts file wrote it, for messages.</summary>
    public string Display
    {
        get
        {
            var host = Host.Contains(':', StringComparison.Ordinal) && Port is not null ? $"[{Host}]" : Host;
            return (User is null ? string.Empty : User + "@") + host + (Port is { } port ? $":{port}" : string.Empty);
        }
    }

}
