using FuncExec.Core.Tasks;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler.Queueing;
using FuncExec.Scheduler.Resources;
using FuncExec.Scheduler.Status;

namespace FuncExec.Scheduler;

internal sealed partial class ClusterScheduler
{
    /// <summary>
    /// Node <paramref name="node"/> is stopping (<see cref="ClusterEventKind.NodeDraining"/>): none of its slots takes
    /// work from now on, nor after a worker of it says it is ready; the tasks its workers run finish there, and those
    /// they hold unstarted come back as the node hands them back. Said twice, the second changes nothing.
    /// </summary>
    /// <returns>Null when taken; otherwise why it was dropped (no such node), to log.</returns>
    public string? NodeDraining(int node)
    {
        var dispatch = NewDispatch();
        lock (_lock)
        {
            if (NodeLocked(node) is not { } draining)
            {
                return $"node {node} is not registered";
            }

            if (draining.Draining)
            {
                return null;
            }

            draining.Draining = true;
            foreach (var slot in draining.Slots)
            {
                slot.Ready = false;
            }

            if (dispatch.RecordsEvents)
            {
                dispatch.Event(ClusterEvent.NodeDraining(Now(), node, draining.Channel.NodeName));
            }

            SealLocked(dispatch);
        }

        Done(dispatch);
        return null;
    }

    /// <summary>
    /// A node was lost (silent past the failure detector's limit, or disconnected), or left after draining. Its slots
    /// leave the pool. On each of its workers the task running — the first in its line — used an
    /// attempt: it runs again if its retries allow, else fails naming the node; the tasks queued
    /// behind it go back to the queue without using one. A node that was draining has left on purpose, not failed:
    /// the tasks it still ran (its drain's time ran out) go back to the queue without using an attempt either.
    /// Tasks queued for that node alone fail.
    /// Then the scheduler forgets the node (its slots and channel); later reports under its index are
    /// ignored, and a node that comes back joins under a new index.
    /// </summary>
    /// <returns>Whether the node had drained (it left rather than being lost); false also when it was gone already.</returns>
    public bool RemoveNode(int node, string reason)
    {
        var dispatch = NewDispatch();
        bool left;
        lock (_lock)
        {
            if (NodeLocked(node) is not { } removed)
            {
                return false; // Lost already.
            }

            left = removed.Draining;
            if (left)
            {
                reason = $"it drained and left ({reason})";
            }

            // Out of the pool first, so nothing below places on it or tells it of computations. Once the loop
            // has ended or requeued every placement on its slots (a wide task holds slots of its own node only),
            // nothing refers to the node, and its slots and channel go with it.
            _nodes.Remove(removed);
            _nodeByIndex.Remove(node);
            _slotIndex.Remove(removed);
            foreach (var slot in removed.Slots)
            {
                _withStealable.Remove(slot);
            }

            if (dispatch.RecordsEvents)
            {
                dispatch.Event(ClusterEvent.NodeLost(Now(), node, removed.Channel.NodeName, reason));
            }

            var unstarted = new List<long>();
            foreach (var slot in removed.Slots)
            {
                if (slot.Line.First is not { } first)
                {
                    continue;
                }

                var running = first.Value;
                for (var next = first.Next; next is not null; next = next.Next)
                {
                    unstarted.Add(next.Value.Task.Id);
                }

                if (left)
                {
                    unstarted.Add(running.Task.Id);
                }

                RequeueLocked(unstarted, dispatch);
                unstarted.Clear();
                if (left)
                {
                    continue;
                }

                FinishLocked(
                    running,
                    new TaskResult
                    {
                        TaskId = running.Task.Id,
                        Attempt = running.Attempt,
                        Outcome = TaskOutcome.Failed,
                        FinishedUnixUs = UnixTime.NowMicroseconds(),
                        Error = new Protocol.V1.RemoteError
                        {
                            Type = "FuncExec.NodeLost",
                            Message = $"node {removed.Channel.NodeName} was lost while running this task: {reason}",
                            Retryable = true,
                        },
                    },
                    dispatch);
            }

            FailPinnedLocked(removed, reason, dispatch);
            DispatchLocked(dispatch);
            SealLocked(dispatch);
        }

        Done(dispatch);
        return left;
    }

    private void FailPinnedLocked(NodeResources removed, string reason, Dispatch dispatch)
    {
        foreach (var computation in _computations.Values.ToList())
        {
            var lost = computation.Pinned.FindAll(task => task.Submitted.TargetNode == removed.Index);
            computation.Pinned.RemoveAll(task => task.Submitted.TargetNode == removed.Index);
            foreach (var task in lost)
            {
                ReportLocked(task, new TaskReport
                {
                    Id = task.Id,
                    Name = task.Submitted.Name,
                    State = TaskState.Failed,
                    Error = new FuncExec.RemoteError("FuncExec.NodeLost", $"it was to run on node {removed.Channel.NodeName}, which was lost: {reason}", null, Retryable: false),
                    Attempts = task.Attempts,
                }, dispatch);
            }
        }
    }

    /// <summary>Kills task <paramref name="taskId"/>, whoever submitted it (an administrative kill): a queued one
    /// is removed and reported killed at once; a running one is killed by its node, which reports its final state.</summary>
    public KillRequest Kill(long taskId) => Kill(taskId, null);

    /// <summary>Whether task <paramref name="taskId"/> is queued or running now.</summary>
    public bool IsLive(long taskId)
    {
        lock (_lock)
        {
            return _live.ContainsKey(taskId);
        }
    }

    /// <summary>As <see cref="Kill(long)"/>, for <paramref name="requester"/>: only a task it submitted
    /// (<see cref="KillRequest.Refused"/> otherwise); null for an administrative kill of any task.</summary>
    public KillRequest Kill(long taskId, ITaskObserver? requester) =>
        Stop(taskId, requester, TaskState.Killed, static (placement, dispatch) =>
        {
            if (!placement.Killing)
            {
                placement.Killing = true;
                dispatch.Kill(placement);
            }
        }) switch
        {
            Stopped.Sent => KillRequest.Sent,
            Stopped.EndedQueued => KillRequest.KilledQueued,
            Stopped.Refused => KillRequest.Refused,
            _ => KillRequest.NotFound,
        };

    /// <summary>
    /// Cancels task <paramref name="taskId"/>: a queued one is removed and reported cancelled at
    /// once; a running one has its cancellation token signalled, and is killed if it still runs
    /// after <paramref name="grace"/>. Its final report says what happened.
    /// </summary>
    public CancelRequest Cancel(long taskId, TimeSpan grace) => Cancel(taskId, grace, null);

    /// <summary>As <see cref="Cancel(long, TimeSpan)"/>, for <paramref name="requester"/>: only a task it submitted
    /// (<see cref="CancelRequest.Refused"/> otherwise); null for an administrator, who may cancel any.</summary>
    public CancelRequest Cancel(long taskId, TimeSpan grace, ITaskObserver? requester) =>
        Stop(taskId, requester, TaskState.Cancelled, (placement, dispatch) =>
        {
            if (!placement.Cancelling && !placement.Killing)
            {
                placement.Cancelling = true;
                var slot = placement.Primary;
                dispatch.ToNode(slot.Node.Channel, c => c.Cancel(slot.WorkerId, taskId, placement.Attempt, grace));
            }
        }) switch
        {
            Stopped.Sent => CancelRequest.Sent,
            Stopped.EndedQueued => CancelRequest.CancelledQueued,
            Stopped.Refused => CancelRequest.Refused,
            _ => CancelRequest.NotFound,
        };

    /// <summary>Kill and cancel alike: a queued task ends here in <paramref name="queuedEnd"/>; a running one
    /// is left to its node, told by <paramref name="signalRunning"/>. Only the task's submitter, or an administrator
    /// (a null <paramref name="requester"/>), may stop it.</summary>
    private Stopped Stop(long taskId, ITaskObserver? requester, TaskState queuedEnd, Action<Placement, Dispatch> signalRunning)
    {
        var dispatch = NewDispatch();
        Stopped outcome;
        lock (_lock)
        {
            if (_live.TryGetValue(taskId, out var task) && !MayActOnLocked(task, requester))
            {
                return Stopped.Refused;
            }

            if (_running.TryGetValue(taskId, out var placement))
            {
                signalRunning(placement, dispatch);
                outcome = Stopped.Sent;
            }
            else if (TakeQueuedLocked(taskId) is { } queued)
            {
                ReportUnstartedLocked(queued, queuedEnd, dispatch);
                outcome = Stopped.EndedQueued;
            }
            else
            {
                return Stopped.NotFound;
            }

            DispatchLocked(dispatch);
            SealLocked(dispatch);
        }

        Done(dispatch);
        return outcome;
    }

    /// <summary>Takes a task out of its computation's queue, if it waits there.</summary>
    private QueuedTask? TakeQueuedLocked(long taskId)
    {
        if (!_live.TryGetValue(taskId, out var task) || _running.ContainsKey(taskId))
        {
            return null;
        }

        var computation = task.Computation;
        if (task.IsPinned)
        {
            return computation.Pinned.Remove(task) ? task : null;
        }

        return computation.Queue.RemoveWhere(queued => queued == task) > 0 ? task : null;
    }

    /// <summary>A submitter left: its queued tasks are dropped (tasks already running finish
    /// unreported), and the computations it opened close, their tasks killed.</summary>
    /// <returns>How many queued tasks were dropped.</returns>
    public int Forget(ITaskObserver observer)
    {
        var dispatch = NewDispatch();
        int dropped;
        lock (_lock)
        {
            dropped = 0;
            if (dispatch.Journaling && observer.JournalToken is { } token)
            {
                dispatch.Batch!.GoneClients.Add(token);
            }

            foreach (var computation in _computations.Values.ToList())
            {
                if (computation.Owner != observer)
                {
                    continue;
                }

                if (computation.Id != 0)
                {
                    dropped += computation.Queue.Count + computation.Pinned.Count;
                    CloseLocked(computation, dispatch);
                    continue;
                }

                foreach (var task in computation.Queue.Unordered.Concat(computation.Pinned))
                {
                    _live.Remove(task.Id);
                    computation.Live--;
                    dropped++;
                    if (dispatch.Journaling && observer.JournalToken is not null)
                    {
                        // Ended in the journal too, or a restart would queue it again for a client that has gone.
                        var report = new TaskReport
                        {
                            Id = task.Id,
                            Name = task.Submitted.Name,
                            State = TaskState.Killed,
                            Error = new FuncExec.RemoteError("FuncExec.TaskKilled", "its client left before it started", null, Retryable: false),
                            Attempts = task.Attempts,
                        };
                        dispatch.Batch!.Finished.Add(Journaled(task, new WireReport(report, task.Submitted.Tag)));
                    }
                }

                computation.Queue.RemoveWhere(_ => true);
                computation.Pinned.Clear();

                // Its running tasks go too, as Dask cancels a departed client's futures: nobody is left
                // to take their results, and one that keeps failing under a large retry count would
                // otherwise hold its cores for ever.
                foreach (var placement in _running.Values)
                {
                    if (placement.Task.Computation == computation && !placement.Killing)
                    {
                        placement.Killing = true;
                        dispatch.Kill(placement);
                    }
                }

                if (computation.Live == 0)
                {
                    EndComputationLocked(computation, dispatch);
                }
            }

            DispatchLocked(dispatch);
            SealLocked(dispatch);
        }

        Done(dispatch);
        return dropped;
    }

    /// <summary>A consistent picture of nodes, workers and tasks, for status displays.</summary>
    public SchedulerSnapshot Snapshot()
    {
        lock (_lock)
        {
            var running = new List<RunningTaskSnapshot>();
            var nodes = new List<NodeSnapshot>(_nodes.Count);
            var busy = 0;
            foreach (var node in _nodes)
            {
                var workers = new List<WorkerSnapshot>(node.Slots.Count);
                foreach (var slot in node.Slots)
                {
                    var task = slot.Line.First?.Value;
                    if (task is not null)
                    {
                        running.Add(new RunningTaskSnapshot(
                            task.Task.Id, task.Task.Submitted.Name, slot.Name, [.. task.Task.Assignment.Cores], task.Attempt, task.Task.Computation.Id));
                    }

                    var state = SlotState(slot);
                    if (IsBusy(slot, state))
                    {
                        busy++;
                    }

                    workers.Add(new WorkerSnapshot(slot.WorkerId, slot.Core, state, slot.InFlight, task?.Task.Id ?? 0, task?.Task.Submitted.Name));
                }

                nodes.Add(new NodeSnapshot(node.Index, node.Channel.NodeName, false, workers, IdleLocked(node)));
            }

            var computations = new List<ComputationSnapshot>();
            foreach (var computation in _computations.Values)
            {
                if (computation.Id != 0)
                {
                    computations.Add(new ComputationSnapshot(
                        computation.Id, computation.Name, computation.Exclusive, computation.Active, computation.Queue.Count + computation.Pinned.Count, computation.InFlight, computation.Owner?.Name));
                }
            }

            // Tasks prefetched by a worker but not started are still waiting: they count as queued.
            var prefetched = _running.Count - running.Count;
            return new SchedulerSnapshot(nodes, QueuedLocked() + prefetched, running.OrderBy(r => r.Id).ToArray())
            {
                BusyWorkers = busy,
                Completed = CompletedCount,
                Computations = computations,
                QueuedCores = QueuedCoresLocked(),
            };
        }
    }

    /// <summary>How long every worker of <paramref name="node"/> has been ready and empty: since the last of them had
    /// nothing left to do. Null while any has a task or is held, starts, or the node drains.</summary>
    private static TimeSpan? IdleLocked(NodeResources node)
    {
        if (node.Draining)
        {
            return null;
        }

        long since = 0;
        foreach (var slot in node.Slots)
        {
            if (!slot.Ready || slot.InFlight > 0 || slot.HeldBy != 0)
            {
                return null;
            }

            since = Math.Max(since, slot.IdleSince);
        }

        return System.Diagnostics.Stopwatch.GetElapsedTime(since);
    }

    private enum Stopped
    {
        NotFound,
        EndedQueued,
        Sent,
        Refused,
    }
}
