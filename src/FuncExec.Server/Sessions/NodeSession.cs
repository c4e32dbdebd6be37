using FuncExec.Protocol.Connections;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler;
using Microsoft.Extensions.Logging;

namespace FuncExec.Server.Sessions;

/// <summary>
/// One node's connection, from registration until it is lost: relays its reports to the
/// scheduler, pulses, and declares it lost after 5 pulse intervals of silence.
/// </summary>
internal sealed class NodeSession
{
    /// <summary>The most workers a node may register: more than any machine's cores, fewer than would strain the scheduler.</summary>
    internal const int MaxWorkers = 4096;

    /// <summary>Core numbers a worker may be pinned to are below this (Linux's largest CPU count).</summary>
    internal const int MaxCore = 8192;

    /// <summary>The longest node name or address taken (a DNS name is at most 253 characters).</summary>
    internal const int MaxNameLength = 253;

    private readonly SchedulerServer _server;
    private readonly HashSet<ClusterEnvelope.BodyOneofCase> _loggedDrops = [];
    private readonly FrameConnection _connection;
    private readonly ILogger _logger;
    private long _lastHeard;
    private int _index = -1;

    public NodeSession(SchedulerServer server, FrameConnection connection, string remote, ILogger logger)
    {
        _server = server;
        _connection = connection;
        _logger = logger;
        Remote = remote;
        _lastHeard = server.Time.GetTimestamp();
    }

    /// <summary>Where the node is: its --ext-ip-addr, else the endpoint it connected from.</summary>
    public string Remote { get; private set; }

    public string Name { get; private set; } = "?";

    public int Index => Volatile.Read(ref _index);

    public bool Connected { get; private set; } = true;

    public TimeSpan SinceLastPulse => _server.Time.GetElapsedTime(Volatile.Read(ref _lastHeard));

    /// <summary>Per-core CPU use from the node's last pulse.</summary>
    public IReadOnlyDictionary<int, float> CoreUsage { get; private set; } = new Dictionary<int, float>();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _connection.Start(OnFrameAsync);
        var reason = await PulseLoop.RunAsync(
            _connection,
            _server.Options.PulseInterval,
            _server.Time,
            () => SinceLastPulse,
            () => new Pulse { SentUnixUs = FuncExec.UnixTime.NowMicroseconds() },
            "the node",
            cancellationToken).ConfigureAwait(false);

        Connected = false;
        if (Index >= 0)
        {
            if (_server.Scheduler.RemoveNode(Index, reason))
            {
                ServerLog.NodeLeft(_logger, Name);
            }
            else
            {
                ServerLog.NodeLost(_logger, Name, reason);
            }
        }

        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    // Whether the node said it drains; read and written on the connection's reader only.
    private bool _draining;

    private ValueTask OnFrameAsync(ClusterEnvelope envelope)
    {
        Volatile.Write(ref _lastHeard, _server.Time.GetTimestamp());
        var scheduler = _server.Scheduler;
        switch (envelope.BodyCase)
        {
            case ClusterEnvelope.BodyOneofCase.NodeRegister:
                Register(envelope.NodeRegister);
                break;
            case ClusterEnvelope.BodyOneofCase.WorkerReady:
                Dropped(envelope, scheduler.WorkerReady(RequireIndex(), envelope.WorkerReady.WorkerId));
                break;
            case ClusterEnvelope.BodyOneofCase.NodeResults:
                Dropped(envelope, scheduler.OnResults(RequireIndex(), envelope.NodeResults.WorkerId, envelope.NodeResults.Results));
                break;
            case ClusterEnvelope.BodyOneofCase.WorkerLost:
                Dropped(envelope, scheduler.WorkerLost(
                    RequireIndex(), envelope.WorkerLost.WorkerId, envelope.WorkerLost.Ended, envelope.WorkerLost.Unstarted, envelope.WorkerLost.Replaced));
                break;
            case ClusterEnvelope.BodyOneofCase.TasksReturned:
                Dropped(envelope, scheduler.TasksReturned(RequireIndex(), envelope.TasksReturned.WorkerId, envelope.TasksReturned.TaskIds));
                break;
            case ClusterEnvelope.BodyOneofCase.NodeTaskMessage:
                Dropped(envelope, scheduler.OnTaskMessage(RequireIndex(), envelope.NodeTaskMessage.WorkerId, envelope.NodeTaskMessage.Message ?? new TaskMessage()));
                break;
            case ClusterEnvelope.BodyOneofCase.NodeProgress:
                Dropped(envelope, scheduler.OnProgress(RequireIndex(), envelope.NodeProgress));
                break;
            case ClusterEnvelope.BodyOneofCase.NodeDraining:
                // Said once; a node repeating itself changes nothing and is not logged again.
                if (!_draining)
                {
                    Dropped(envelope, scheduler.NodeDraining(RequireIndex()));
                    _draining = true;
                    ServerLog.NodeDraining(_logger, Name);
                }

                break;
            case ClusterEnvelope.BodyOneofCase.Pulse:
                CoreUsage = envelope.Pulse.Cores.ToDictionary(c => c.Core, c => c.BusyPercent);
                break;
            default:
                throw new InvalidDataException($"unexpected {envelope.BodyCase} from node {Name}");
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The scheduler dropped (part of) a report as outside this node's role: logged once per kind, counted always.</summary>
    private void Dropped(ClusterEnvelope envelope, string? reason)
    {
        if (reason is not null && _loggedDrops.Add(envelope.BodyCase))
        {
            ServerLog.NodeReportDropped(_logger, Name, Remote, envelope.BodyCase.ToString(), reason);
        }
    }

    private void Register(NodeRegister register)
    {
        if (Index >= 0)
        {
            throw new InvalidDataException($"node {Name} registered twice");
        }

        CheckRegistration(register);

        Name = register.Name;
        if (register.Address.Length > 0)
        {
            Remote = register.Address;
        }

        var channel = new RemoteNodeChannel(register.Name, _connection, _server.Components, _logger);
        Volatile.Write(ref _index, _server.Scheduler.AddNode(channel, [.. register.WorkerCores]));
        ServerLog.NodeJoined(_logger, Name, Remote, register.WorkerCores.Count);
    }

    /// <summary>A registration is refused (the connection closed, naming the fault) unless every field is within bounds.</summary>
    internal static void CheckRegistration(NodeRegister register)
    {
        if (!IsPrintable(register.Name) || register.Name.Length == 0)
        {
            throw new InvalidDataException($"a node's name must be 1 to {MaxNameLength} printable characters; this one has {register.Name.Length}");
        }

        if (register.WorkerCores.Count is 0 or > MaxWorkers)
        {
            throw new InvalidDataException($"node {register.Name} offers {register.WorkerCores.Count} workers; a node has 1 to {MaxWorkers}");
        }

        foreach (var core in register.WorkerCores)
        {
            if (core is < 0 or >= MaxCore)
            {
                throw new InvalidDataException($"node {register.Name} pins a worker to core {core}; cores are numbered 0 to {MaxCore - 1}");
            }
        }

        if (!IsPrintable(register.Address) || register.Address.Contains(' ', StringComparison.Ordinal))
        {
            throw new InvalidDataException($"node {register.Name} gives an address that is not a host or host:port of at most {MaxNameLength} printable characters");
        }
    }

    private static bool IsPrintable(string text) => text.Length <= MaxNameLength && !text.Any(char.IsControl);

    private int RequireIndex() => Index >= 0 ? Index : throw new InvalidDataException("a node must register before it reports");
}
