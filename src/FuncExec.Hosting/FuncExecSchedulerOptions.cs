namespace FuncExec;

/// <summary>
/// The scheduler that <c>AddFuncExecScheduler</c> runs as a hosted service, bound from the configuration section
/// <c>FuncExec:Scheduler</c>; the settings of <c>funcexec scheduler</c>, whose options set the same keys.
/// </summary>
/// <remarks>
/// Defaults, as <c>funcexec scheduler</c>: listens on every interface, TCP port 9700, UDP discovery on port 9700,
/// a pulse every 2 s, a journal in the state folder, the dashboard on <c>127.0.0.1:9780</c>, and a generated secret and
/// TLS certificate in the state folder.
/// </remarks>
public sealed class FuncExecSchedulerOptions
{
    /// <summary>The address to listen on.</summary>
    /// <remarks>Default: <c>0.0.0.0</c>.</remarks>
    public string IpAddr { get; set; } = "0.0.0.0";

    /// <summary>The address nodes and clients should use, when it differs (NAT).</summary>
    /// <remarks>Default: null.</remarks>
    public string? ExtIpAddr { get; set; }

    /// <summary>The TCP port for nodes and clients; 0 picks a free one.</summary>
    /// <remarks>Default: 9700.</remarks>
    public int Port { get; set; } = 9700;

    /// <summary>The UDP port answering node discovery; 0 turns discovery off.</summary>
    /// <remarks>Default: 9700.</remarks>
    public int UdpPort { get; set; } = 9700;

    /// <summary>The scheduler's name.</summary>
    /// <remarks>Default: the machine's name.</remarks>
    public string Name { get; set; } = Environment.MachineName;

    /// <summary>The time between pulses; a node silent for 5 pulses is lost.</summary>
    /// <remarks>Default: 2 seconds.</remarks>
    public TimeSpan PulseInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Where components from clients are kept.</summary>
    /// <remarks>Default: null, for <c>components/</c> in the state folder.</remarks>
    public string? DestPath { get; set; }

    /// <summary>The largest component file a client may upload, in bytes.</summary>
    /// <remarks>Default: 10 MiB.</remarks>
    public long MaxFileSize { get; set; } = 10L * 1024 * 1024;

    /// <summary>The most memory, in bytes, that partly received frames may hold across all connections.</summary>
    /// <remarks>Default: 256 MiB.</remarks>
    public long MaxInboundMemory { get; set; } = 256L * 1024 * 1024;

    /// <summary>The most bytes of components kept in <see cref="DestPath"/>.</summary>
    /// <remarks>Default: 2 GiB.</remarks>
    public long MaxStoreSize { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>The most bytes one client may upload that no open computation of it uses yet.</summary>
    /// <remarks>Default: 256 MiB.</remarks>
    public long MaxPendingUploads { get; set; } = 256L * 1024 * 1024;

    /// <summary>A CSV file to record a profile of the run to (read it with <c>funcexec report</c>).</summary>
    /// <remarks>Default: null, for none.</remarks>
    public string? ProfilePath { get; set; }

    /// <summary>The cluster secret.</summary>
    /// <remarks>Default: null, for <see cref="SecretFile"/>, else <c>$FUNCEXEC_SECRET</c>, else one generated and kept
    /// in the state folder.</remarks>
    public string? Secret { get; set; }

    /// <summary>A file holding the cluster secret (readable by its owner only).</summary>
    /// <remarks>Default: null.</remarks>
    public string? SecretFile { get; set; }

    /// <summary>A PEM certificate to serve TLS with; needs <see cref="KeyFile"/>.</summary>
    /// <remarks>Default: null, for one generated in the state folder.</remarks>
    public string? CertFile { get; set; }

    /// <summary>The PEM private key of <see cref="CertFile"/>.</summary>
    /// <remarks>Default: null.</remarks>
    public string? KeyFile { get; set; }

    /// <summary>Run without a cluster secret: anyone who can reach the port can run any command as this user.</summary>
    /// <remarks>Default: false.</remarks>
    public bool Insecure { get; set; }

    /// <summary>The folder for the generated secret, certificate and journal, in <c>scheduler-PORT/</c>.</summary>
    /// <remarks>Default: null, for <c>$FUNCEXEC_HOME</c>, else <c>~/.funcexec</c>.</remarks>
    public string? StateDir { get; set; }

    /// <summary>Where to keep the journal of tasks and results: a SQLite file, or a <c>postgres://</c> URL.</summary>
    /// <remarks>Default: null, for <c>journal.db</c> in the state folder.</remarks>
    public string? Journal { get; set; }

    /// <summary>Keep no journal: a restart of the scheduler loses queued tasks and undelivered results.</summary>
    /// <remarks>Default: false.</remarks>
    public bool NoJournal { get; set; }

    /// <summary>Move a corrupt, mismatched or missing journal aside and start a new, empty one.</summary>
    /// <remarks>Default: false.</remarks>
    public bool FreshJournal { get; set; }

    /// <summary>How long finished tasks' results stay readable once delivered.</summary>
    /// <remarks>Default: 1 day.</remarks>
    public TimeSpan ResultRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The longest a client may ask the scheduler to keep its work while it reconnects.</summary>
    /// <remarks>Default: 1 hour.</remarks>
    public TimeSpan MaxReattachTime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Serve the web dashboard.</summary>
    /// <remarks>Default: true.</remarks>
    public bool Dashboard { get; set; } = true;

    /// <summary>The TCP port of the web dashboard; 0 picks a free one.</summary>
    /// <remarks>Default: 9780.</remarks>
    public int DashboardPort { get; set; } = DashboardOptions.DefaultPort;

    /// <summary>The address the web dashboard listens on.</summary>
    /// <remarks>Default: <c>127.0.0.1</c>.</remarks>
    public string DashboardIp { get; set; } = "127.0.0.1";

    /// <summary>Host names the web dashboard answers to besides loopback names and its own address.</summary>
    /// <remarks>Default: none.</remarks>
    public IList<string> DashboardHosts { get; } = [];
}
