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
    private readonly SchedulerServer _server;
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
            () => new Pulse { SentUnixUs = Core.Tasks.UnixTime.NowMicroseconds() },
            "the node",
            cancellationToken).ConfigureAwait(false);

        Connected = false;
        if (Index >= 0)
        {
            ServerLog.NodeLost(_logger, Name, reason);
            _server.Scheduler.RemoveNode(Index, reason);
        }

        await _connection.DisposeAsync().ConfigureAwait(false);
    }

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
                scheduler.WorkerReady(RequireIndex(), envelope.WorkerReady.WorkerId);
                break;
            case ClusterEnvelope.BodyOneofCase.NodeResults:
                scheduler.OnResults(RequireIndex(), envelope.NodeResults.WorkerId, envelope.NodeResults.Results);
                break;
            case ClusterEnvelope.BodyOneofCase.WorkerLost:
                scheduler.WorkerLost(RequireIndex(), envelope.WorkerLost.WorkerId, envelope.WorkerLost.Ended, envelope.WorkerLost.Unstarted);
                break;
            case ClusterEnvelope.BodyOneofCase.TasksReturned:
                scheduler.TasksReturned(RequireIndex(), envelope.TasksReturned.WorkerId, envelope.TasksReturned.TaskIds);
                break;
            case ClusterEnvelope.BodyOneofCase.NodeTaskMessage:
                scheduler.OnTaskMessage(RequireIndex(), envelope.NodeTaskMessage.WorkerId, envelope.NodeTaskMessage.Message);
                break;
            case ClusterEnvelope.BodyOneofCase.NodeProgress:
                scheduler.OnProgress(RequireIndex(), envelope.NodeProgress);
                break;
            case ClusterEnvelope.BodyOneofCase.Pulse:
                CoreUsage = envelope.Pulse.Cores.ToDictionary(c => c.Core, c => c.BusyPercent);
                break;
            default:
                throw new InvalidDataException($"unexpected {envelope.BodyCase} from node {Name}");
        }

        return ValueTask.CompletedTask;
    }

    private void Register(NodeRegister register)
    {
        if (Index >= 0)
        {
            throw new InvalidDataException($"node {Name} registered twice");
        }

        if (register.WorkerCores.Count == 0)
        {
            throw new InvalidDataException($"node {register.Name} offers no workers");
        }

        Name = register.Name;
        if (register.Address.Length > 0)
        {
            Remote = register.Address;
        }

        var channel = new RemoteNodeChannel(register.Name, _connection, _server.Components, _logger);
        Volatile.Write(ref _index, _server.Scheduler.AddNode(channel, [.. register.WorkerCores]));
        ServerLog.NodeJoined(_logger, Name, Remote, register.WorkerCores.Count);
    }

    private int RequireIndex() => Index >= 0 ? Index : throw new InvalidDataException("a node must register before it reports");
}
