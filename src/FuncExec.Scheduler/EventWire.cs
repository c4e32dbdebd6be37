using FuncExec.Core.Tasks;
using FuncExec.Protocol.V1;
using ComputationClosed = FuncExec.ComputationClosed;
using TaskStarted = FuncExec.TaskStarted;

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

        var wire = new ClusterEventMessage { TimeUnixUs = UnixTime.ToMicroseconds(e.Time) };
        switch (e)
        {
            case NodeJoined n:
                wire.Kind = "node-joined";
                (wire.Node, wire.NodeName, wire.WorkerId) = (n.Node, n.NodeName, n.Workers);
                break;
            case NodeLost n:
                wire.Kind = "node-lost";
                (wire.Node, wire.NodeName, wire.Reason) = (n.Node, n.NodeName, n.Reason);
                break;
            case WorkerStarted w:
                wire.Kind = "worker-started";
                (wire.Node, wire.WorkerId, wire.Worker) = (w.Node, w.WorkerId, w.Worker);
                wire.Cores.Add(w.Core);
                break;
            case WorkerDied w:
                wire.Kind = "worker-died";
                (wire.Node, wire.WorkerId, wire.Worker, wire.Reason) = (w.Node, w.WorkerId, w.Worker, w.Reason);
                break;
            case TaskQueued t:
                wire.Kind = "task-queued";
                (wire.TaskId, wire.TaskName, wire.Computation) = (t.TaskId, t.Name, t.Computation);
                break;
            case TaskStarted t:
                wire.Kind = "task-started";
                (wire.TaskId, wire.TaskName, wire.Computation, wire.Worker, wire.Attempt) = (t.TaskId, t.Name, t.Computation, t.Worker, t.Attempt);
                wire.Cores.AddRange(t.Cores);
                break;
            case TaskFinished t:
                wire.Kind = "task-finished";
                (wire.TaskId, wire.TaskName, wire.Computation, wire.Worker, wire.Attempt) = (t.TaskId, t.Name, t.Computation, t.Worker ?? string.Empty, t.Attempts);
                wire.Outcome = t.State.ToOutcome();
                wire.Cores.AddRange(t.Cores);
                wire.StartedUnixUs = UnixTime.ToMicroseconds(t.Started);
                wire.FinishedUnixUs = UnixTime.ToMicroseconds(t.Finished);
                wire.Error = t.Error?.ToWire();
                break;
            case ComputationScheduled c:
                wire.Kind = "computation-scheduled";
                (wire.Computation, wire.TaskName, wire.Exclusive) = (c.Computation, c.Name, c.Exclusive);
                break;
            case ComputationClosed c:
                wire.Kind = "computation-closed";
                (wire.Computation, wire.TaskName) = (c.Computation, c.Name);
                break;
            default:
                return null;
        }

        return wire;
    }

    /// <summary>The event a wire message describes, or null for a kind this version does not know.</summary>
    public static ClusterEvent? FromWire(ClusterEventMessage m)
    {
        ArgumentNullException.ThrowIfNull(m);
        var time = UnixTime.FromMicroseconds(m.TimeUnixUs) ?? DateTimeOffset.UnixEpoch;
        return m.Kind switch
        {
            "node-joined" => new NodeJoined(time, m.Node, m.NodeName, m.WorkerId),
            "node-lost" => new NodeLost(time, m.Node, m.NodeName, m.Reason),
            "worker-started" => new WorkerStarted(time, m.Node, m.WorkerId, m.Worker, m.Cores.Count > 0 ? m.Cores[0] : -1),
            "worker-died" => new WorkerDied(time, m.Node, m.WorkerId, m.Worker, m.Reason),
            "task-queued" => new TaskQueued(time, m.TaskId, m.TaskName, m.Computation),
            "task-started" => new TaskStarted(time, m.TaskId, m.TaskName, m.Computation, m.Worker, [.. m.Cores], m.Attempt),
            "task-finished" => new TaskFinished(time, m.TaskId, m.TaskName, m.Computation, m.Outcome.ToState(), m.Worker.Length == 0 ? null : m.Worker,
                [.. m.Cores], UnixTime.FromMicroseconds(m.StartedUnixUs), UnixTime.FromMicroseconds(m.FinishedUnixUs), m.Attempt)
            {
                Error = m.Error?.ToModel(),
            },
            "computation-scheduled" => new ComputationScheduled(time, m.Computation, m.TaskName, m.Exclusive),
            "computation-closed" => new ComputationClosed(time, m.Computation, m.TaskName),
            _ => null,
        };
    }
}
