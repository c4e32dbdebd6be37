using FuncExec.Dashboard;
using FuncExec.Node.Remote;
using FuncExec.Protocol.Connections;
using FuncExec.Scheduler.Queueing;

namespace FuncExec.Server;

/// <summary>How <c>funcexec scheduler</c> runs.</summary>
/// <remarks>
/// Defaults: listens on every interface, TCP port 9700, UDP discovery on port 9700, pulses
/// every 2 s (a node silent for 5 pulses is lost). Secure: without a secret in
/// <see cref="Security"/> the scheduler generates one and keeps it in its state folder (see
/// <see cref="SchedulerStateFolder"/>), and without a certificate it generates one there too and
/// requires TLS from every peer beyond loopback; <see cref="Insecure"/> turns the secret off. 256 MiB for partly received frames.
/// </remarks>
internal sealed record SchedulerServerOptions
{
    /// <summary>The address to listen on.</summary>
    public string IpAddr { get; init; } = "0.0.0.0";

    /// <summary>The address nodes and clients should use, when it differs (NAT); sent in discovery answers.</summary>
    public string? ExtIpAddr { get; init; }

    /// <summary>The TCP port; 0 picks a free one.</summary>
    public int Port { get; init; } = SchedulerAddress.DefaultPort;

    /// <summary>The UDP port answering discovery; 0 turns discovery off.</summary>
    public int UdpPort { get; init; } = SchedulerAddress.DefaultPort;

    /// <summary>The scheduler's name.</summary>
    public string Name { get; init; } = Environment.MachineName;

    /// <summary>Secret and TLS: a secret or certificate left out is generated (see the remarks on the type).</summary>
    public TransportSecurity Security { get; init; } = TransportSecurity.Default;

    /// <summary>
    /// Run without a secret (<c>--insecure</c>): anyone who can reach the port may run any
    /// command as this user and join as a node, and peers anywhere may use plain text. Logged as a
    /// warning at start, and shown as a banner on the dashboard.
    /// </summary>
    /// <remarks>Default: false. A secret given in <see cref="Security"/> is still checked.</remarks>
    public bool Insecure { get; init; }

    /// <summary>
    /// The folder that holds the generated secret and certificate, in <c>scheduler-PORT/</c>;
    /// null for <c>$FUNCEXEC_HOME</c>, else <c>~/.funcexec</c>.
    /// </summary>
    /// <remarks>Local nodes and clients look for the secret under <c>$FUNCEXEC_HOME</c> (else
    /// <c>~/.funcexec</c>), so a scheduler given another folder must tell them with that variable.</remarks>
    public string? StateDir { get; init; }

    /// <summary>How often pulses go both ways; 5 missed pulses mark a peer lost.</summary>
    public TimeSpan PulseInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Where components received from clients are kept.</summary>
    public string? DestPath { get; init; }

    /// <summary>The largest component file a client may upload, in bytes; larger ones are refused with the reason.</summary>
    /// <remarks>Default: 10 MiB, as for nodes.</remarks>
    public long MaxFileSize { get; init; } = 10L * 1024 * 1024;

    /// <summary>
    /// The most memory, in bytes, that partly received frames may hold across all connections;
    /// a connection that would go over stops being read until memory comes back.
    /// </summary>
    /// <remarks>
    /// Default: 256 MiB. It must hold the largest frame one peer may send: a client's is
    /// <see cref="MaxFileSize"/> (at least 16 MiB) plus 1 MiB, a node's 64 MiB (a worker's batch of results).
    /// </remarks>
    public long MaxInboundMemory { get; init; } = 256L * 1024 * 1024;

    /// <summary>The most bytes the component store in <see cref="DestPath"/> holds; past it the least recently used
    /// components no open computation uses are removed, and an upload that still does not fit is refused.</summary>
    /// <remarks>Default: 2 GiB.</remarks>
    public long MaxStoreSize { get; init; } = 2L * 1024 * 1024 * 1024;

    /// <summary>The most bytes one client may have uploaded that no open computation of it uses yet; an upload past it
    /// is refused with the reason.</summary>
    /// <remarks>Default: 256 MiB.</remarks>
    public long MaxPendingUploads { get; init; } = 256L * 1024 * 1024;

    /// <summary>How long an upload waits for a computation that uses it before it is removed (it is removed anyway
    /// when its client disconnects).</summary>
    /// <remarks>Default: 10 minutes.</remarks>
    public TimeSpan UploadGrace { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Record a profile of the run to this CSV file (see <c>funcexec report</c>), or none when null.</summary>
    public string? ProfilePath { get; init; }

    /// <summary>The order queued tasks are placed in.</summary>
    public TaskOrder Order { get; init; } = TaskOrder.Priority;

    /// <summary>
    /// Where the scheduler keeps its journal: null for none (everything in memory, as an embedded cluster); empty for
    /// a SQLite file <c>journal.db</c> in its state folder (with <see cref="Port"/> 0, the folder of the port it gets);
    /// else a file path (SQLite) or a <c>postgres://</c> URL.
    /// </summary>
    /// <remarks>Default: null. <c>funcexec scheduler</c> journals in its state folder unless given <c>--no-journal</c>.</remarks>
    public string? Journal { get; init; }

    /// <summary>Moves a corrupt, mismatched or missing journal aside and starts a new one (<c>--fresh-journal</c>), instead of
    /// refusing to start.</summary>
    public bool FreshJournal { get; init; }

    /// <summary>How long finished tasks' reports stay readable by id (<c>funcexec result</c>) once their client has
    /// acknowledged them or gone.</summary>
    /// <remarks>Default: 1 day.</remarks>
    public TimeSpan ResultRetention { get; init; } = TimeSpan.FromDays(1);

    /// <summary>How long a client that gave no reattach time is waited for after its connection drops.</summary>
    /// <remarks>Default: 60 s.</remarks>
    public TimeSpan DefaultReattachTime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest reattach time a client may ask for; longer asks are cut to it.</summary>
    /// <remarks>Default: 1 hour.</remarks>
    public TimeSpan MaxReattachTime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The web dashboard: where it listens; null for none.</summary>
    /// <remarks>Default: null (none); <c>funcexec scheduler</c> serves it on <c>127.0.0.1:9780</c> unless given <c>--no-dashboard</c>.</remarks>
    public DashboardOptions? Dashboard { get; init; }
}
