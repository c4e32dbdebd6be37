using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using FuncExec.Dashboard;
using FuncExec.Journal;
using FuncExec.Scheduler.Journal;
using FuncExec.Node.Components;
using FuncExec.Node.Remote;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.Diagnostics;
using FuncExec.Protocol.Framing;
using FuncExec.Protocol.V1;
using FuncExec.Reporting;
using FuncExec.Scheduler;
using FuncExec.Scheduler.Status;
using FuncExec.Server.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FuncExec.Server;

/// <summary>
/// <c>funcexec scheduler</c>: the shared scheduler as its own process. Kestrel hosts the
/// FuncExec protocol on a TCP port for nodes and clients; a UDP responder answers discovery.
/// </summary>
internal sealed class SchedulerServer : IAsyncDisposable
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<NodeSession, byte> _nodes = new();
    private readonly ConcurrentDictionary<ClientSession, byte> _clients = new();
    private readonly TaskCompletionSource<TransportSecurity> _security = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _app;
    private UdpClient? _udp;
    private Task? _discovery;

    // Pulses, results and submissions fit in this; only uploads of components are bigger.
    private const int MinClientFrameSize = 16 * 1024 * 1024;

    // An upload frame carries the file and a little protobuf around it.
    private const int FrameOverhead = 1024 * 1024;

    private SchedulerServer(SchedulerServerOptions options, ILoggerFactory loggerFactory)
    {
        Options = options;
        ClientFrameCap = (int)Math.Min(Math.Max(options.MaxFileSize, MinClientFrameSize) + FrameOverhead, int.MaxValue);
        if (options.MaxInboundMemory < Math.Max(ClientFrameCap, NodeFrameCap))
        {
            throw new ArgumentException(
                $"the inbound memory budget of {options.MaxInboundMemory} bytes cannot hold one frame of {Math.Max(ClientFrameCap, NodeFrameCap)} bytes (a client's upload of the largest file plus 1 MiB, or a node's result); raise --max-inbound-memory or lower --max-file-size");
        }

        InboundBudget = new InboundMemoryBudget(options.MaxInboundMemory, Time) { ReturnMemoryWhenDrained = true };
        RefusalLog = new LogRateLimiter(TimeSpan.FromSeconds(10), Time);
        SessionLog = new LogRateLimiter(TimeSpan.FromSeconds(10), Time);
        _loggerFactory = loggerFactory;
        Logger = loggerFactory.CreateLogger("FuncExec.Scheduler");
        Clients = new ClientRegistry(this);
        Results = new ResultService(this);
    }

    /// <summary>The state folder's home: <see cref="SchedulerServerOptions.StateDir"/>, else the default.</summary>
    private string StateHome => Options.StateDir is { } stateDir ? Path.GetFullPath(stateDir) : SchedulerStateFolder.DefaultHome;

    /// <summary>Opens, locks and reads the journal (when it has one), then makes the scheduler and its component store
    /// (in the state folder when journaling, so a restart finds the components its computations name).</summary>
    /// <param name="port">The port the state folder is keyed by.</param>
    private async Task OpenStateAsync(int port, CancellationToken cancellationToken)
    {
        var stateFolder = SchedulerStateFolder.FolderOf(StateHome, port);
        JournalState? state = null;
        if (Options.Journal is { } journalText)
        {
            // The journal and the components go in the state folder, which holds the secret: private from the start.
            SchedulerStateFolder.EnsureFolder(StateHome, port);
            var text = journalText.Length == 0 ? Path.Combine(stateFolder, JournalNames.DefaultFileName) : journalText;
            var (journal, lease) = JournalFactory.Open(text, new JournalOptions { StateFolder = stateFolder, Fresh = Options.FreshJournal });
            _journal = journal;
            _lease = lease;
            await lease.AcquireAsync(holder => ServerLog.JournalStandingBy(Logger, journal.Description, holder), cancellationToken).ConfigureAwait(false);
            // A lost lease (the database connection broke: a standby may take over) or a failed write (disk full):
            // the scheduler can no longer promise what it acknowledges, so it must stop.
            _leaseLost = lease.Lost.Register(() => JournalFailed("its lease was lost, or a write to it failed"));

            state = journal.Load();
        }
        else
        {
            ServerLog.NoJournal(Logger);
        }

        if (_journal is not null)
        {
            ServerLog.Journal(Logger, _journal.Description);
        }

        Scheduler = new ClusterScheduler(new SchedulerOptions { Order = Options.Order }, _journal);
        Components = new ComponentStore(
            Options.DestPath ?? (_journal is not null
                ? Path.Combine(stateFolder, "components")
                : Path.Combine(Path.GetTempPath(), $"funcexec-{Environment.UserName}", "scheduler-components")),
            Logger,
            Options.MaxStoreSize);
        if (state is not null)
        {
            Restore(state);
            _purge = Time.CreateTimer(_ => Purge(), null, PurgeInterval, PurgeInterval);
        }
    }

    private static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(1);

    private ISchedulerJournal? _journal;
    private IJournalLease? _lease;
    private CancellationTokenRegistration _leaseLost;
    private readonly TaskCompletionSource<string> _journalLost = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes, with why, when the journal can no longer be written (its lease lost, or a write failed): whoever
    /// hosts the scheduler must then stop it, since a standby may take over from the journal.</summary>
    public Task<string> JournalLost => _journalLost.Task;

    private void JournalFailed(string reason)
    {
        if (_journalLost.TrySetResult(reason))
        {
            ServerLog.JournalLost(Logger, _journal?.Description ?? "?", reason);
        }
    }
    private ITimer? _purge;

    /// <summary>Rebuilds clients (detached, each waiting its reattach time from now), computations, unfinished tasks and
    /// undelivered reports from what the journal holds.</summary>
    private void Restore(JournalState state)
    {
        var restored = new List<DurableClient>();
        foreach (var client in state.Clients)
        {
            restored.Add(Clients.Restored(client.Token, client.Name));
        }

        DurableClient Owner(string token)
        {
            var client = Clients.Restored(token, "?");
            if (!restored.Contains(client))
            {
                restored.Add(client);
            }

            return client;
        }

        foreach (var computation in state.Computations)
        {
            var components = NodeComputation.Parser.ParseFrom(computation.Components).Components;
            Owner(computation.OwnerToken).Uploads.Reference(computation.Id, [.. components]);
        }

        var (requeued, failed) = Scheduler.Restore(state, Owner);
        foreach (var result in state.Undelivered)
        {
            Owner(result.OwnerToken).Keep(JournalEncoding.DecodeReport(result.Report));
        }

        foreach (var client in restored)
        {
            client.WaitDetached();
        }

        ServerLog.JournalLoaded(Logger, _journal!.Description, restored.Count, requeued, failed, state.Undelivered.Count, state.NextTaskId);
    }

    /// <summary>Deletes reports past the result retention, once a minute.</summary>
    private void Purge()
    {
        if (_journal is not { } journal || _stopping.IsCancellationRequested)
        {
            return;
        }

        try
        {
            var purged = journal.Purge(DateTimeOffset.UtcNow - Options.ResultRetention);
            if (purged > 0)
            {
                ServerLog.JournalPurged(Logger, purged);
            }
        }
        catch (Exception ex) when (ex is JournalException or System.Data.Common.DbException)
        {
            ServerLog.JournalPurgeFailed(Logger, ex.Message);
        }
    }

    /// <summary>The scheduler's log.</summary>
    internal ILogger Logger { get; }

    /// <summary>The durable clients, by token.</summary>
    internal ClientRegistry Clients { get; }

    /// <summary>Answers results by id.</summary>
    internal ResultService Results { get; }

    /// <summary>A client is gone for good.</summary>
    internal void Gone(DurableClient client) => Clients.Gone(client);

    /// <summary>The options it runs with.</summary>
    public SchedulerServerOptions Options { get; }

    /// <summary>The scheduling logic (made when it starts, after its journal was read).</summary>
    public ClusterScheduler Scheduler { get; private set; } = null!;

    /// <summary>Where the TCP listener is bound (with the real port when 0 was asked).</summary>
    public IPEndPoint Endpoint { get; private set; } = new(IPAddress.None, 0);

    /// <summary>
    /// The secret and TLS settings it serves with: <see cref="SchedulerServerOptions.Security"/>
    /// with the generated secret and certificate filled in. Known once <see cref="StartAsync"/> returns.
    /// </summary>
    public TransportSecurity Security { get; private set; } = TransportSecurity.Default;

    /// <summary>The web dashboard, when <see cref="SchedulerServerOptions.Dashboard"/> asked for one.</summary>
    public DashboardServer? Dashboard { get; private set; }

    internal ComponentStore Components { get; private set; } = null!;

    internal TimeProvider Time { get; } = TimeProvider.System;

    /// <summary>Partial frames of every connection after its handshake.</summary>
    internal InboundMemoryBudget InboundBudget { get; }

    /// <summary>One line per address per 10 s for refused connections, however many come.</summary>
    internal LogRateLimiter RefusalLog { get; }

    /// <summary>One line of each kind per address per 10 s for connections that passed the handshake: a client
    /// connected, a client left, a connection closed or failed.</summary>
    internal LogRateLimiter SessionLog { get; }

    /// <summary>The largest frame a client may send: an upload of the largest file.</summary>
    internal int ClientFrameCap { get; }

    /// <summary>The largest frame a node may send: a worker's batch of results, each up to 16 MiB of JSON.</summary>
    internal int NodeFrameCap { get; } = FrameCodec.DefaultMaxFrameSize;

    internal CancellationToken Stopping => _stopping.Token;

    /// <summary><see cref="Security"/> for connections, which can arrive between binding the port and
    /// generating the files keyed by it (with port 0 the port is known only once bound).</summary>
    internal Task<TransportSecurity> SecurityReady => _security.Task;

    /// <summary>Starts listening.</summary>
    public static async Task<SchedulerServer> StartAsync(SchedulerServerOptions? options = null, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        options ??= new SchedulerServerOptions();
        loggerFactory ??= NullLoggerFactory.Instance;
        var server = new SchedulerServer(options, loggerFactory);
        try
        {
            await server.StartCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false); // A port in use: release what did start.
            throw;
        }

        return server;
    }

    /// <summary>Nodes and workers, with pulse ages and CPU use, and queued and running tasks; the journal's figures too
    /// when <paramref name="journal"/> (counting them reads the journal's database).</summary>
    public StatusReply BuildStatus(bool journal)
    {
        var sessions = _nodes.Keys.Where(s => s.Index >= 0).ToDictionary(s => s.Index);
        var reply = StatusReplies.Build(
            Scheduler,
            Options.Name,
            index => sessions.TryGetValue(index, out var session)
                ? new NodeLiveness(session.Remote, session.SinceLastPulse, session.Connected, session.CoreUsage)
                : null);
        // The same list the dashboard shows, so `status` and the dashboard give one count.
        reply.Clients = ConnectedClients().Count;
        if (journal && _journal is { } kept)
        {
            var stats = kept.Stats();
            reply.Journal = new JournalStatus
            {
                Description = stats.Description,
                Bytes = stats.Bytes,
                Tasks = stats.Tasks,
                Results = stats.Results,
                OldestAgeMs = stats.Oldest is { } oldest ? (long)Math.Max(0, (DateTimeOffset.UtcNow - oldest).TotalMilliseconds) : 0,
                RetentionMs = (long)Options.ResultRetention.TotalMilliseconds,
            };
        }

        return reply;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _security.TrySetCanceled();
        _udp?.Dispose();
        if (Dashboard is not null)
        {
            await Dashboard.DisposeAsync().ConfigureAwait(false);
        }

        if (_profile is not null)
        {
            await _profile.DisposeAsync().ConfigureAwait(false);
        }

        if (_app is not null)
        {
            using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _app.StopAsync(stopTimeout.Token).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        if (_discovery is not null)
        {
            await _discovery.ConfigureAwait(false);
        }

        if (_purge is not null)
        {
            await _purge.DisposeAsync().ConfigureAwait(false);
        }

        if (_journal is not null)
        {
            // Everything appended is written before the file is let go.
            await _journal.DisposeAsync().ConfigureAwait(false);
        }

        await _leaseLost.DisposeAsync().ConfigureAwait(false);
        if (_lease is not null)
        {
            await _lease.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    internal void Track(NodeSession session) => _nodes[session] = 0;

    internal void Untrack(NodeSession session) => _nodes.TryRemove(session, out _);

    internal void Track(ClientSession session) => _clients[session] = 0;

    internal void Untrack(ClientSession session) => _clients.TryRemove(session, out _);

    /// <summary>The clients connected now, for the dashboard.</summary>
    internal IReadOnlyList<DashboardClient> ConnectedClients() =>
        [.. _clients.Keys.Select(c => new DashboardClient(c.Name, c.Remote, c.Connected) { Owner = ((ITaskObserver)c.Client).Name }).OrderBy(c => c.Connected)];

    private SchedulerProfile? _profile;

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        // The journal is read before the port is bound, so a scheduler that cannot have its journal never listens; on
        // port 0 the default journal's folder is keyed by the port it gets, so it is read once bound (connections wait
        // for it: nothing is served before FinishStartAsync).
        var afterBind = Options.Port == 0 && Options.Journal is "";
        if (!afterBind)
        {
            await OpenStateAsync(Options.Port, cancellationToken).ConfigureAwait(false);
            StartProfile();
        }

        await ListenAsync(cancellationToken).ConfigureAwait(false);
        if (afterBind)
        {
            await OpenStateAsync(Endpoint.Port, cancellationToken).ConfigureAwait(false);
            StartProfile();
        }

        await FinishStartAsync(cancellationToken).ConfigureAwait(false);
    }

    private void StartProfile()
    {
        if (Options.ProfilePath is { } profilePath)
        {
            // Before anything joins, so the profile sees every worker start.
            _profile = SchedulerProfile.Start(Scheduler, profilePath);
        }
    }

    private async Task ListenAsync(CancellationToken cancellationToken)
    {

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(_loggerFactory);
        builder.Services.AddSingleton(this);
        var address = IPAddress.Parse(Options.IpAddr);
        // Frame handlers only take the scheduler's lock briefly and never block, so Kestrel may run
        // them on its I/O threads: one thread-pool hop less on every frame in.
        builder.WebHost.UseSockets(sockets =>
        {
            sockets.UnsafePreferInlineScheduling = true;
            // What Kestrel buffers per connection ahead of our reads, outside the inbound budget:
            // 1 MiB by default, which a crowd of connections that stopped being read multiplies.
            sockets.MaxReadBufferSize = 256 * 1024;
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(address, Options.Port, listen => listen.UseConnectionHandler<ClusterConnectionHandler>()));
        _app = builder.Build();
        try
        {
            await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (ex.InnerException is AddressInUseException)
        {
            throw new IOException(
                $"the scheduler cannot listen on {Options.IpAddr}:{Options.Port}: the port is in use (another scheduler on this machine?); choose another with --port",
                ex);
        }

        var bound = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Endpoint = new IPEndPoint(address, new Uri(bound).Port);
    }

    private async Task FinishStartAsync(CancellationToken cancellationToken)
    {
        var logger = _loggerFactory.CreateLogger("FuncExec.Scheduler");
        Security = ResolveSecurity(logger);
        _security.TrySetResult(Security);

        if (Options.UdpPort > 0)
        {
            try
            {
                // Broadcasts reach only sockets bound to the wildcard address, whatever --ip-addr says.
                _udp = new UdpClient(new IPEndPoint(IPAddress.Any, Options.UdpPort)) { EnableBroadcast = true };
                _discovery = AnswerDiscoveryAsync(_udp);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                // Discovery is a convenience: the scheduler serves nodes that are told its address all the same.
                ServerLog.DiscoveryPortInUse(_loggerFactory.CreateLogger("FuncExec.Scheduler"), Options.UdpPort);
            }
        }

        var tls = Security.PlainText switch
        {
            PlainTextPeers.None => "required",
            PlainTextPeers.Loopback => "required beyond loopback",
            _ => "optional",
        };
        ServerLog.Listening(logger, Options.Name, Endpoint.ToString(), tls, _udp is null ? "off" : $"UDP {Options.UdpPort}");
        if (Options.Dashboard is { } dashboard)
        {
            Dashboard = await DashboardServer.StartAsync(dashboard, new SchedulerDashboardSource(this), _loggerFactory, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Fills in what the operator left out: a secret (unless insecure) and a certificate, from the state folder.</summary>
    /// <exception cref="IOException">The state folder cannot be written or read; the message names it.</exception>
    /// <exception cref="InvalidDataException">The stored secret is open to other users or empty; the message names it.</exception>
    private TransportSecurity ResolveSecurity(ILogger logger)
    {
        var security = Options.Security;
        var home = StateHome;
        if (string.IsNullOrEmpty(security.Secret) && !Options.Insecure)
        {
            var (secret, created) = SchedulerStateFolder.LoadOrCreateSecret(home, Endpoint.Port);
            security = security with { Secret = secret };
            ServerLog.SecretFile(logger, created ? "generated" : "using", SchedulerStateFolder.SecretPathOf(home, Endpoint.Port));
        }

        if (!security.UsesTls)
        {
            var (certFile, keyFile, created) = SchedulerStateFolder.LoadOrCreateCertificate(home, Endpoint.Port, Options.Name);
            security = security with { CertFile = certFile, KeyFile = keyFile, PlainText = PlainTextPeers.Loopback };
            var certificates = security.LoadTrustedCertificates();
            ServerLog.CertificateFile(logger, created ? "generated" : "using", certFile, certificates[0].GetCertHashString(HashAlgorithmName.SHA256));
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
        }

        if (Options.Insecure)
        {
            security = security with { PlainText = PlainTextPeers.Any };
            ServerLog.Insecure(logger, Endpoint.ToString(), Environment.UserName);
        }

        return security;
    }

    private async Task AnswerDiscoveryAsync(UdpClient udp)
    {
        var answer = Discovery.Answer(Options.ExtIpAddr, Endpoint.Port, Options.Name);
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                var query = await udp.ReceiveAsync(_stopping.Token).ConfigureAwait(false);
                if (Discovery.IsQuery(query.Buffer))
                {
                    await udp.SendAsync(answer, query.RemoteEndPoint, _stopping.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // Stopping.
        }
        catch (SocketException ex)
        {
            ServerLog.DiscoveryStopped(_loggerFactory.CreateLogger("FuncExec.Scheduler"), ex.Message);
        }
    }
}
