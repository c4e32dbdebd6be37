using FuncExec.Core.Tasks;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler.Queueing;
using FuncExec.Scheduler.Resources;
using FuncExec.Scheduler.Status;

namespace FuncExec.Scheduler;

public sealed partial class ClusterScheduler
{
    /// <summary>
    /// A node was lost (silent past the failure detector's limit, or disconnected). Its slots
    /// leave the pool. On each of its workers the task running — the earliest placed still in
    /// flight — used an attempt: it runs again if its retries allow, else fails naming the node;
    /// the tasks queued behind it go back to the queue without using one.
    /// </summary>
    public void RemoveNode(int node, string reason)
    {
        Dispatch dispatch;
        lock (_lock)
        {
            var removed = _nodes[node];
            if (removed.Removed)
            {
                return;
            }

            removed.Removed = true;
            dispatch = new Dispatch();
            var onNode = new List<Placement>();
            foreach (var placement in _running.Values)
            {
                if (placement.Primary.Node == removed)
                {
                    onNode.Add(placement);
                }
            }

            var unstarted = new List<long>();
            foreach (var group in onNode.GroupBy(p => p.Primary))
            {
                var running = group.MinBy(p => p.Order)!;
                foreach (var placement in group)
                {
                    if (placement != running)
                    {
                        unstarted.Add(placement.Task.Id);
                    }
                }

                FinishLocked(
                    new TaskResult
                    {
                        TaskId = running.Task.Id,
                        Attempt = running.Attempt,
                        Outcome = TaskOutcome.Failed,
                        FinishedUnixUs = Core.Tasks.UnixTime.NowMicroseconds(),
                        Error = new Protocol.V1.RemoteError
                        {
                            Type = "FuncExec.NodeLost",
                            Message = $"node {removed.Channel.NodeName} was lost while running this task: {reason}",
                            Retryable = true,
                        },
                    },
                    dispatch);
            }

            RequeueLocked(unstarted, dispatch);
            foreach (var slot in removed.Slots)
            {
                slot.Ready = false;
            }

            DispatchLocked(dispatch);
        }

        dispatch.Complete();
    }

    /// <summary>Kills task <paramref name="taskId"/>: a queued one is removed and reported killed at
    /// once; a running one is killed by its node, which reports its final state.</summary>
    public KillRequest Kill(long taskId)
    {
        Dispatch dispatch;
        KillRequest outcome;
        lock (_lock)
        {
            dispatch = new Dispatch();
            if (_running.TryGetValue(taskId, out var placement))
            {
                if (!placement.Killing)
                {
                    placement.Killing = true;
                    dispatch.Kill(placement);
                }

                outcome = KillRequest.Sent;
            }
            else
            {
                QueuedTask? queued = null;
                _queue.RemoveWhere(task =>
                {
                    if (task.Id != taskId)
                    {
                        return false;
                    }

                    queued = task;
                    return true;
                });
                if (queued is null)
                {
                    return KillRequest.NotFound;
                }

                ReportKilledUnstarted(queued, dispatch);
                outcome = KillRequest.KilledQueued;
            }

            DispatchLocked(dispatch);
        }

        dispatch.Complete();
        return outcome;
    }

    /// <summary>Drops the queued tasks of a submitter that left; tasks already running finish unreported.</summary>
    /// <returns>How many queued tasks were dropped.</returns>
    public int Forget(ITaskObserver observer)
    {
        lock (_lock)
        {
            return _queue.RemoveWhere(task => task.Observer == observer);
        }
    }

    /// <summary>A consistent picture of nodes, workers and tasks, for status displays.</summary>
    public SchedulerSnapshot Snapshot()
    {
        lock (_lock)
        {
            var current = new Dictionary<WorkerSlot, Placement>();
            var running = new List<RunningTaskSnapshot>(_running.Count);
            foreach (var placement in _running.Values)
            {
                if (!current.TryGetValue(placement.Primary, out var earliest) || placement.Order < earliest.Order)
                {
                    current[placement.Primary] = placement;
                }
            }

            foreach (var placement in current.Values)
            {
                running.Add(new RunningTaskSnapshot(
                    placement.Task.Id, placement.Task.Submitted.Name, placement.Primary.Name, [.. placement.Task.Assignment.Cores], placement.Attempt));
            }

            var nodes = new List<NodeSnapshot>(_nodes.Count);
            foreach (var node in _nodes)
            {
                var workers = new List<WorkerSnapshot>(node.Slots.Count);
                foreach (var slot in node.Slots)
                {
                    current.TryGetValue(slot, out var task);
                    var state = !slot.Ready ? "starting" : slot.HeldBy != 0 ? "held" : task is null ? "idle" : "busy";
                    workers.Add(new WorkerSnapshot(slot.WorkerId, slot.Core, state, slot.InFlight, task?.Task.Id ?? 0, task?.Task.Submitted.Name));
                }

                nodes.Add(new NodeSnapshot(node.Index, node.Channel.NodeName, node.Removed, workers));
            }

            // Tasks prefetched by a worker but not started are still waiting: they count as queued.
            var prefetched = _running.Count - current.Count;
            return new SchedulerSnapshot(nodes, _queue.Count + prefetched, running.OrderBy(r => r.Id).ToArray());
        }
    }
}
