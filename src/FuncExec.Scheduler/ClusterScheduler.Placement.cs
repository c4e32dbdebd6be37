using System.Diagnostics;
using FuncExec.Core.Tasks;
using FuncExec.Core.Telemetry;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler.Computations;
using FuncExec.Scheduler.Queueing;
using FuncExec.Scheduler.Resources;

namespace FuncExec.Scheduler;

internal sealed partial class ClusterScheduler
{
    // The lowest priority among tasks placed since workers were last all idle (int.MaxValue: none), and whether a
    // task of higher priority was queued since: only then can a prefetched task stand in front of a better one.
    private int _lowestPlacedPriority = int.MaxValue;
    private bool _priorityInverted;

    // The slots with long tasks prefetched behind another (in their Stealable lists), in node order: while there are
    // none, an idle worker has nothing to take back and nobody looks; when there are, only they are looked at.
    private readonly SortedSet<WorkerSlot> _withStealable = new(SlotIndex.NodeOrder);

    private Dispatch DispatchLocked(Dispatch dispatch)
    {
        while (NextComputationLocked() is { } computation)
        {
            var head = computation.Queue.Peek();
            var placed = head.Cores == 1 ? PlaceNarrowLocked(head, null, dispatch) : PlaceWideLocked(head, null, dispatch);
            if (!placed)
            {
                break;
            }
        }

        PlacePinnedLocked(dispatch);
        if (_priorityInverted)
        {
            TakeBackOutrankedLocked(dispatch);
        }

        if (QueuedLocked() == 0)
        {
            StealLocked(dispatch);
        }

        dispatch.SendAssignments();
        return dispatch;
    }

    /// <summary>The active computation with queued tasks and the fewest on workers (the oldest on a tie):
    /// fair sharing among shared computations, or the open exclusive one alone.</summary>
    private ComputationState? NextComputationLocked()
    {
        if (_exclusive is { } exclusive)
        {
            return exclusive.Queue.Count > 0 ? exclusive : null;
        }

        ComputationState? best = null;
        foreach (var computation in _active)
        {
            if (computation.Queue.Count > 0 && (best is null || computation.InFlight < best.InFlight))
            {
                best = computation;
            }
        }

        return best;
    }

    /// <summary>Tasks for a given node or worker go there when it has room; they never hold up other tasks.</summary>
    private void PlacePinnedLocked(Dispatch dispatch)
    {
        foreach (var computation in _exclusive is { } exclusive ? [exclusive] : _active)
        {
            for (var i = 0; i < computation.Pinned.Count; i++)
            {
                var task = computation.Pinned[i];
                if (NodeLocked(task.Submitted.TargetNode) is not { } node)
                {
                    continue; // Ended by RemoveNode.
                }

                var placed = task.Submitted.HasTargetWorker
                    ? PlaceNarrowLocked(task, node.Slots[task.Submitted.TargetWorker], dispatch)
                    : task.Cores == 1 ? PlaceNarrowLocked(task, node, dispatch) : PlaceWideLocked(task, node, dispatch);
                if (placed)
                {
                    computation.Pinned.RemoveAt(i);
                    i--;
                }
            }
        }
    }

    /// <summary>A one-core task goes to the ready slot with the most room for it (see <see cref="PrefetchPolicy"/>),
    /// among all slots, those of one node, or one slot.</summary>
    private bool PlaceNarrowLocked(QueuedTask task, object? where, Dispatch dispatch)
    {
        var estimate = _durations.Estimate(task.FunctionKey);
        WorkerSlot? best = null;
        var bestRoom = 0.0;
        void Consider(WorkerSlot slot)
        {
            if (!slot.Ready || slot.HeldBy != 0)
            {
                return;
            }

            var room = PrefetchPolicy.Room(slot, estimate);
            if (room > bestRoom || (room == bestRoom && best is not null && room > 0 && slot.InFlight < best.InFlight))
            {
                best = slot;
                bestRoom = room;
            }
        }

        switch (where)
        {
            case WorkerSlot one:
                Consider(one);
                break;
            case NodeResources node:
                foreach (var slot in node.Slots)
                {
                    Consider(slot);
                }

                break;
            default:
                // What the loop above over every node's slots would pick, in a logarithm of their number.
                best = _slotIndex.Best(estimate);
                break;
        }

        if (best is null)
        {
            return false;
        }

        if (!task.IsPinned)
        {
            task.Computation.Queue.Dequeue();
        }

        StartLocked(task, best, [], estimate, dispatch);
        return true;
    }

    /// <summary>Notes a task queued again or anew: if it outranks a task placed before it, placement checks the prefetched ones.</summary>
    private void NoteQueuedLocked(QueuedTask task)
    {
        if (task.Priority > _lowestPlacedPriority && Options.Order == TaskOrder.Priority)
        {
            _priorityInverted = true;
        }
    }

    /// <summary>
    /// Takes back (revokes) each prefetched task that a task of higher priority of the same computation would wait
    /// behind: one queued (the head of its queue), or one placed behind it on the same worker. Those run next on
    /// each worker, right after the task it runs now, and the lower ones are placed again after them, so prefetch
    /// never undoes priority order. A task already running is left to finish.
    /// </summary>
    /// <remarks>Runs only after a task of higher priority than one placed was queued, so the scan of the workers'
    /// lines costs nothing while priorities are equal (a million tasks of one priority never pay for it).</remarks>
    private void TakeBackOutrankedLocked(Dispatch dispatch)
    {
        _priorityInverted = false;
        foreach (var node in _nodes)
        {
            foreach (var slot in node.Slots)
            {
                // From the back: the best priority behind each task. The first in line runs (or is about to).
                var bestBehind = int.MinValue;
                ComputationState? bestOf = null;
                for (var inLine = slot.Line.Last; inLine is not null && inLine != slot.Line.First; inLine = inLine.Previous)
                {
                    var placement = inLine.Value;
                    var task = placement.Task;
                    var queuedBest = task.Computation.Queue.TryPeek(out var head) ? head.Priority : int.MinValue;
                    var outranked = task.Priority < queuedBest || (bestOf == task.Computation && task.Priority < bestBehind);
                    if (outranked && !placement.Revoking && !placement.Killing && !placement.Cancelling && !task.IsPinned)
                    {
                        placement.Revoking = true;
                        dispatch.Revoke(placement);
                    }
                    else if (!outranked && (bestOf is null || task.Priority > bestBehind))
                    {
                        bestBehind = task.Priority;
                        bestOf = task.Computation;
                    }
                }
            }
        }
    }

    /// <summary>With nothing queued, each idle worker asks for a long task prefetched behind another elsewhere.</summary>
    private void StealLocked(Dispatch dispatch)
    {
        if (_withStealable.Count == 0)
        {
            return;
        }

        for (var idle = _slotIndex.IdleCount; idle > 0; idle--)
        {
            var victim = FindStealableLocked();
            if (victim is null)
            {
                return;
            }

            victim.Revoking = true;
            dispatch.Revoke(victim);
        }
    }

    private Placement? FindStealableLocked()
    {
        foreach (var slot in _withStealable)
        {
            foreach (var placement in slot.Stealable)
            {
                // A pinned task cannot move, so taking it back would only delay it.
                if (!placement.Revoking && !placement.Task.IsPinned)
                {
                    return placement;
                }
            }
        }

        return null;
    }

    /// <summary>A k-core task needs k idle slots of one node (any node, or the given one): the first of them runs it, the rest are held.</summary>
    private bool PlaceWideLocked(QueuedTask task, NodeResources? only, Dispatch dispatch)
    {
        foreach (var node in only is null ? _nodes : [only])
        {
            if (node.Slots.Count < task.Cores)
            {
                continue;
            }

            var chosen = new List<WorkerSlot>(task.Cores);
            foreach (var slot in node.Slots)
            {
                if (slot.CanTakeWide)
                {
                    chosen.Add(slot);
                    if (chosen.Count == task.Cores)
                    {
                        if (!task.IsPinned)
                        {
                            task.Computation.Queue.Dequeue();
                        }

                        StartLocked(task, chosen[0], chosen.GetRange(1, chosen.Count - 1), double.NaN, dispatch);
                        return true;
                    }
                }
            }
        }

        return false;
    }

    private void StartLocked(QueuedTask task, WorkerSlot primary, IReadOnlyList<WorkerSlot> held, double estimateUs, Dispatch dispatch)
    {
        task.Attempts++;
        var assignment = task.Assignment;
        assignment.Attempt = task.Attempts;
        assignment.Cores.Clear();
        if (assignment.Cores.Capacity == 0)
        {
            // Most tasks hold one core: room for it alone, not the eight a first Add makes.
            assignment.Cores.Capacity = 1;
        }

        assignment.Cores.Add(primary.Core);
        foreach (var slot in held)
        {
            slot.HeldBy = task.Id;
            assignment.Cores.Add(slot.Core);
        }

        primary.InFlight++;
        task.Computation.InFlight++;
        _lowestPlacedPriority = _running.Count == 0 ? task.Priority : Math.Min(_lowestPlacedPriority, task.Priority);
        var placement = new Placement(task, primary, held, task.Attempts, estimateUs) { Order = primary.NextOrder++ };
        placement.InLine = primary.Line.AddLast(placement);
        if (PrefetchPolicy.IsShort(estimateUs))
        {
            primary.ShortWorkUs += estimateUs;
        }
        else
        {
            primary.LongInFlight++;
            if (primary.InFlight > 1)
            {
                primary.Stealable.Add(placement);
                _withStealable.Add(primary);
            }
        }

        _running[task.Id] = placement;
        TracePlacementLocked(task, placement, primary, assignment);
        dispatch.Assign(primary, assignment);
        if (task.PendingMessages is { } pending)
        {
            // After the assignment, on the same ordered way, so the worker knows the task when they arrive.
            task.PendingMessages = null;
            DeliverAfter(primary, pending, dispatch);
        }

        if (primary.Line.First == placement.InLine)
        {
            AnnounceStart(placement, dispatch);
        }
    }

    // Apart from StartLocked, so the closure it makes costs only a task that has messages waiting.
    private static void DeliverAfter(WorkerSlot primary, List<TaskMessage> pending, Dispatch dispatch)
    {
        foreach (var message in pending)
        {
            dispatch.ToNode(primary.Node.Channel, c => c.Deliver(primary.WorkerId, message));
        }
    }

    private static ClusterEvent StartedEvent(Placement placement) =>
        ClusterEvent.TaskStarted(Now(), placement.Task.Id, placement.Task.Submitted.Name, placement.Task.Computation.Id, placement.Primary.Name,
            [.. placement.Task.Assignment.Cores], placement.Attempt);

    /// <summary>Frees what a placement held. Returns the task that starts on its worker now that it ended, if any:
    /// the worker runs its tasks in order, so the next in line starts as this one ends.</summary>
    private Placement? ReleaseLocked(Placement placement)
    {
        Placement? startsNext = null;
        var primary = placement.Primary;
        if (--primary.InFlight == 0)
        {
            primary.IdleSince = Stopwatch.GetTimestamp();
        }

        placement.Task.Computation.InFlight--;
        if (placement.InLine is { } inLine)
        {
            var wasFirst = primary.Line.First == inLine;
            primary.Line.Remove(inLine);
            placement.InLine = null;
            if (wasFirst)
            {
                startsNext = primary.Line.First?.Value;
            }
        }

        if (PrefetchPolicy.IsShort(placement.EstimateUs))
        {
            // Sums of doubles drift; an empty slot owes nothing.
            primary.ShortWorkUs = primary.InFlight == 0 ? 0 : Math.Max(0, primary.ShortWorkUs - placement.EstimateUs);
        }
        else
        {
            primary.LongInFlight--;
            if (primary.Stealable.Remove(placement) && primary.Stealable.Count == 0)
            {
                _withStealable.Remove(primary);
            }
        }

        foreach (var slot in placement.Held)
        {
            slot.HeldBy = 0;
        }

        return startsNext;
    }

    /// <summary>A placement became the first in its worker's line: the worker starts it now. Journaled as started, so a
    /// task running when the scheduler dies counts that attempt after a restart (prefetched ones behind it do not).</summary>
    private static void AnnounceStart(Placement? placement, Dispatch dispatch)
    {
        if (placement is null)
        {
            return;
        }

        FuncExecMetrics.TaskStarted();
        if (FuncExecMetrics.TaskQueueWait.Enabled && placement.Task.QueuedTimestamp != 0)
        {
            FuncExecMetrics.TaskQueueWait.Record(FuncExecMetrics.SecondsSince(placement.Task.QueuedTimestamp));
        }

        if (dispatch.RecordsEvents)
        {
            dispatch.Event(StartedEvent(placement));
        }

        if (dispatch.Journaling && placement.Task.Observer.JournalToken is not null)
        {
            dispatch.Batch!.Started.Add((placement.Task.Id, placement.Attempt));
        }
    }

    /// <summary>Ends the attempt <paramref name="placement"/> stands for with <paramref name="result"/>, which the
    /// caller checked is about it.</summary>
    private void FinishLocked(Placement placement, TaskResult result, Dispatch dispatch)
    {
        _running.Remove(result.TaskId);
        TraceResultLocked(placement, result);
        var startsNext = ReleaseLocked(placement);
        if (result.FinishedUnixUs > result.StartedUnixUs && result.StartedUnixUs > 0)
        {
            _durations.Record(placement.Task.FunctionKey, result.FinishedUnixUs - result.StartedUnixUs);
        }

        var task = placement.Task;
        var state = result.Outcome.ToState();
        var retryable = state is TaskState.Failed or TaskState.TimedOut && (result.Error is null || result.Error.Retryable);
        if (retryable && !placement.Killing && !placement.Cancelling && !task.Computation.Closing && task.Attempts <= task.Submitted.Retries)
        {
            FuncExecMetrics.TaskRetried();
            EnqueueLocked(task, dispatch);
            AnnounceStart(startsNext, dispatch);
            return;
        }

        ReportLocked(task, new TaskReport
        {
            Id = task.Id,
            Name = task.Submitted.Name,
            State = state,
            // The worker's bytes, shared: a client's session sends them and the journal keeps them as they came.
            ResultUtf8 = result.ResultJson.Memory,
            Error = result.Error?.ToModel(),
            Worker = placement.Primary.Name,
            Cores = placement.Held.Count == 0 ? placement.Primary.Cores : [.. task.Assignment.Cores],
            Started = UnixTime.FromMicroseconds(result.StartedUnixUs),
            Finished = UnixTime.FromMicroseconds(result.FinishedUnixUs),
            Attempts = task.Attempts,
            Output = result.Output.Length == 0 ? null : result.Output,
        }, dispatch);
        AnnounceStart(startsNext, dispatch);
    }
}
