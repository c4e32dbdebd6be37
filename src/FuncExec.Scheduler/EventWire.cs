using FuncExec.Core.Tasks;
using FuncExec.Protocol.V1;

namespace FuncExec.Scheduler;

/// <summary>Cluster events to and from their wire form (<see cref="ClusterEventMessage"/>).</summary>
internal static class EventWire
{
    /// <summary>The wire form of <paramref name="e"/>, or null when it is about another computation
    /// than <paramref name="computation"/> (0: keep every event). Node and worker events are always kept.</summary>
    public static ClusterEventMessage? ToWire(ClusterEvent e, long computation)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (!e.Concerns(computation))
        {
            return null;
        }

        var wire = new ClusterEventMessage
        {
            TimeUnixUs = UnixTime.ToMicroseconds(e.Time),
            Kind = WireKind(e.Kind),
            Node = e.Node,
            NodeName = e.NodeName,
            WorkerId = e.Kind is ClusterEventKind.NodeJoined or ClusterEventKind.Scaling ? e.Workers : e.WorkerId,
            Worker = e.Worker ?? string.Empty,
            Reason = e.Reason,
            TaskId = e.TaskId,
            TaskName = e.Name,
            Computation = e.Computation,
            Attempt = e.Attempt,
            Exclusive = e.Exclusive,
            StartedUnixUs = UnixTime.ToMicroseconds(e.Started),
            FinishedUnixUs = UnixTime.ToMicroseconds(e.Finished),
            Error = e.Error?.ToWire(),
        };
        wire.Cores.AddRange(e.Cores);
        if (e.State is { } state)
        {
            wire.Outcome = state.ToOutcome();
        }

        return wire;
    }

    /// <summary>The event a wire message describes, or null for a kind this version does not know.</summary>
    public static ClusterEvent? FromWire(ClusterEventMessage m)
    {
        ArgumentNullException.ThrowIfNull(m);
        var time = UnixTime.FromMicroseconds(m.TimeUnixUs) ?? DateTimeOffset.UnixEpoch;
        ClusterEventKind? kind = m.Kind switch
        {
            "node-joined" => ClusterEventKind.NodeJoined,
            "node-lost" => ClusterEventKind.NodeLost,
            "node-draining" => ClusterEventKind.NodeDraining,
            "scaling" => ClusterEventKind.Scaling,
            "worker-started" => ClusterEventKind.WorkerStarted,
            "worker-died" => ClusterEventKind.WorkerDied,
            "task-queued" => ClusterEventKind.TaskQueued,
            "task-started" => ClusterEventKind.TaskStarted,
            "task-finished" => ClusterEventKind.TaskFinished,
            "computation-scheduled" => ClusterEventKind.ComputationScheduled,
            "computation-closed" => ClusterEventKind.ComputationClosed,
            _ => null,
        };
        if (kind is not { } known)
        {
            return null;
        }

        return new ClusterEvent(known, time)
        {
            Node = m.Node,
            NodeName = m.NodeName,
            Workers = known is ClusterEventKind.NodeJoined or ClusterEventKind.Scaling ? m.WorkerId : 0,
            WorkerId = known is ClusterEventKind.NodeJoined or ClusterEventKind.Scaling ? 0 : m.WorkerId,
            Worker = m.Worker.Length == 0 ? null : m.Worker,
            Reason = m.Reason,
            TaskId = m.TaskId,
            Name = m.TaskName,
            Computation = m.Computation,
            Cores = [.. m.Cores],
            Attempt = m.Attempt,
            State = known == ClusterEventKind.TaskFinished ? m.Outcome.ToState() : null,
            Started = UnixTime.FromMicroseconds(m.StartedUnixUs),
            Finished = UnixTime.FromMicroseconds(m.FinishedUnixUs),
            Error = m.Error?.ToModel(),
            Exclusive = m.Exclusive,
        };
    }

    private static string WireKind(ClusterEventKind kind) => kind switch
    {
        ClusterEventKind.NodeJoined => "node-joined",
        ClusterEventKind.NodeLost => "node-lost",
        ClusterEventKind.NodeDraining => "node-draining",
        ClusterEventKind.Scaling => "scaling",
        ClusterEventKind.WorkerStarted => "worker-started",
        ClusterEventKind.WorkerDied => "worker-died",
        ClusterEventKind.TaskQueued => "task-queued",
        ClusterEventKind.TaskStarted => "task-started",
        ClusterEventKind.TaskFinished => "task-finished",
        ClusterEventKind.ComputationScheduled => "computation-scheduled",
        ClusterEventKind.ComputationClosed => "computation-closed",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a cluster event kind"),
    };
}
