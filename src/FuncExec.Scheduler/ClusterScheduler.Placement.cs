using FuncExec.Core.Tasks;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler.Queueing;
using FuncExec.Scheduler.Resources;

namespace FuncExec.Scheduler;

public sealed partial class ClusterScheduler
{
    private Dispatch DispatchLocked(Dispatch? dispatch = null)
    {
        dispatch ??= new Dispatch();
        while (_queue.TryPeek(out var head))
        {
            var placed = head.Cores == 1 ? PlaceNarrowLocked(head, dispatch) : PlaceWideLocked(head, dispatch);
            if (!placed)
            {
                break;
            }
        }

        if (_queue.Count == 0)
        {
            StealLocked(dispatch);
        }

        dispatch.SendAssignments();
        return dispatch;
    }

    /// <summary>A one-core task goes to the ready slot with the most room for it (see <see cref="PrefetchPolicy"/>).</summary>
    private bool PlaceNarrowLocked(QueuedTask task, Dispatch dispatch)
    {
        var estimate = _durations.Estimate(task.FunctionKey);
        WorkerSlot? best = null;
        var bestRoom = 0.0;
        foreach (var node in _nodes)
        {
            if (node.Removed)
            {
                continue;
            }

            foreach (var slot in node.Slots)
            {
                if (!slot.Ready || slot.HeldBy != 0)
                {
                    continue;
                }

                var room = PrefetchPolicy.Room(slot, estimate);
                if (room > bestRoom || (room == bestRoom && best is not null && room > 0 && slot.InFlight < best.InFlight))
                {
                    best = slot;
                    bestRoom = room;
                }
            }
        }

        if (best is null)
        {
            return false;
        }

        _queue.Dequeue();
        StartLocked(task, best, [], estimate, dispatch);
        return true;
    }

    /// <summary>With nothing queued, each idle worker asks for a long task prefetched behind another elsewhere.</summary>
    private void StealLocked(Dispatch dispatch)
    {
        foreach (var node in _nodes)
        {
            foreach (var idle in node.Slots)
            {
                if (node.Removed || !idle.Ready || idle.InFlight > 0 || idle.HeldBy != 0)
                {
                    continue;
                }

                var victim = FindStealableLocked();
                if (victim is null)
                {
                    return;
                }

                victim.Revoking = true;
                dispatch.Revoke(victim);
            }
        }
    }

    private Placement? FindStealableLocked()
    {
        foreach (var node in _nodes)
        {
            foreach (var slot in node.Slots)
            {
                foreach (var placement in slot.Stealable)
                {
                    if (!placement.Revoking)
                    {
                        return placement;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>A k-core task needs k idle slots of one node: the first of them runs it, the rest are held.</summary>
    private bool PlaceWideLocked(QueuedTask task, Dispatch dispatch)
    {
        foreach (var node in _nodes)
        {
            if (node.Removed || node.Slots.Count < task.Cores)
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
                        _queue.Dequeue();
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
        assignment.Cores.Add(primary.Core);
        foreach (var slot in held)
        {
            slot.HeldBy = task.Id;
            assignment.Cores.Add(slot.Core);
        }

        primary.InFlight++;
        var placement = new Placement(task, primary, held, task.Attempts, estimateUs) { Order = primary.NextOrder++ };
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
            }
        }

        _running[task.Id] = placement;
        dispatch.Assign(primary, assignment);
    }

    private static void ReleaseLocked(Placement placement)
    {
        var primary = placement.Primary;
        primary.InFlight--;
        if (PrefetchPolicy.IsShort(placement.EstimateUs))
        {
            // Sums of doubles drift; an empty slot owes nothing.
            primary.ShortWorkUs = primary.InFlight == 0 ? 0 : Math.Max(0, primary.ShortWorkUs - placement.EstimateUs);
        }
        else
        {
            primary.LongInFlight--;
            primary.Stealable.Remove(placement);
        }

        foreach (var slot in placement.Held)
        {
            slot.HeldBy = 0;
        }
    }

    private void FinishLocked(TaskResult result, Dispatch dispatch)
    {
        if (!_running.TryGetValue(result.TaskId, out var placement) || placement.Attempt != result.Attempt)
        {
            return; // An attempt we stopped waiting for; its task was requeued or reported already.
        }

        _running.Remove(result.TaskId);
        ReleaseLocked(placement);
        if (result.FinishedUnixUs > result.StartedUnixUs && result.StartedUnixUs > 0)
        {
            _durations.Record(placement.Task.FunctionKey, result.FinishedUnixUs - result.StartedUnixUs);
        }

        var task = placement.Task;
        var state = result.Outcome.ToState();
        var retryable = state is TaskState.Failed or TaskState.TimedOut && (result.Error is null || result.Error.Retryable);
        if (retryable && !placement.Killing && task.Attempts <= task.Submitted.Retries)
        {
            _queue.Enqueue(task);
            return;
        }

        dispatch.Report(task.Observer, new FinishedTask(task.Submitted, new TaskReport
        {
            Id = task.Id,
            Name = task.Submitted.Name,
            State = state,
            ResultJson = result.ResultJson.IsEmpty ? null : result.ResultJson.ToStringUtf8(),
            Error = result.Error?.ToModel(),
            Worker = placement.Primary.Name,
            Cores = [.. task.Assignment.Cores],
            Started = Core.Tasks.UnixTime.FromMicroseconds(result.StartedUnixUs),
            Finished = Core.Tasks.UnixTime.FromMicroseconds(result.FinishedUnixUs),
            Attempts = task.Attempts,
            Output = result.Output.Length == 0 ? null : result.Output,
        }));
    }

}
