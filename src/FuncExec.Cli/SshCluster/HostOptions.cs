namespace FuncExec.Cli.SshCluster;

/// <summary>The options one hosts file line sets; a host's own win over the file-wide ones.</summary>
/// <remarks>Each property is the <see cref="ClusterHost"/> property of the same name, null where the line does not set it.</remarks>
internal sealed class HostOptions
{
    public int? Cpus { get; set; }

    public string? Name { get; set; }

    public string? DestPath { get; set; }

    public string? Identity { get; set; }

    public string? SshConfig { get; set; }

    public List<string> SshOptions { get; } = [];

    /// <summary>What <c>--scheduler</c> said: a host (null for this machine) and a port.</summary>
    public (string? Host, int Port)? Scheduler { get; set; }

    public string? CertFile { get; set; }

    public string? KeyFile { get; set; }

    public string? RemoteDir { get; set; }

    public string? Dotnet { get; set; }

    public string? Funcexec { get; set; }

    public List<string> NodeArgs { get; } = [];

    /// <summary>The host these options describe, over the file-wide <paramref name="defaults"/>.</summary>
    public ClusterHost ToHost(string host, string? user, int? port, string name, int line, HostOptions defaults)
    {
        var scheduler = Scheduler ?? defaults.Scheduler ?? (null, SchedulerAddress.DefaultPort);
        return new ClusterHost
        {
            Name = name,
            Host = host,
            User = user,
            Port = port,
            Line = line,
            Cpus = Cpus ?? defaults.Cpus,
            DestPath = DestPath ?? defaults.DestPath,
            Identity = Identity ?? defaults.Identity,
            SshConfig = SshConfig ?? defaults.SshConfig,
            SshOptions = [.. SshOptions, .. defaults.SshOptions],
            SchedulerHost = scheduler.Host,
            SchedulerPort = scheduler.Port,
            CertFile = CertFile ?? defaults.CertFile,
            KeyFile = KeyFile ?? defaults.KeyFile,
            RemoteDir = RemoteDir ?? defaults.RemoteDir ?? ClusterHost.DefaultRemoteDir,
            Dotnet = Dotnet ?? defaults.Dotnet,
            Funcexec = Funcexec ?? defaults.Funcexec,
            NodeArgs = [.. defaults.NodeArgs, .. NodeArgs],
        };
    }
}
