using FuncExec.Protocol.V1;
using FuncExec.Scheduler.Queueing;

namespace FuncExec.Scheduler;

internal sealed partial class ClusterScheduler
{
    /// <summary>
    /// A client sends a message to one of its tasks. It goes to the worker that holds the task, or
    /// waits with the task until one does, and reaches the task's inbox in the order sent.
    /// </summary>
    /// <returns>Null when it is on its way; otherwise why not (the task ended, or is not the sender's).</returns>
    public string? SendToTask(ITaskObserver sender, TaskMessage message)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(message);
        var dispatch = NewDispatch();
        string? error = null;
        lock (_lock)
        {
            message.FromTask = 0;
            if (!_live.TryGetValue(message.ToTask, out var target))
            {
                error = $"task {message.ToTask} is not running or queued: it has finished, or was never submitted";
            }
            else if (!MayActOnLocked(target, sender))
            {
                error = $"task {message.ToTask} is {AnotherClients}'s; a client messages only its own tasks";
            }
            else
            {
                RouteLocked(target, message, dispatch);
            }

            dispatch.SendAssignments();
            SealLocked(dispatch);
        }

        Done(dispatch);
        return error;
    }

    /// <summary>A task on a worker sent a message: to its client (to_task 0) or to another task of its computation.
    /// The sender's worker hears whether it went on (a <see cref="MessageAck"/>) when it asked for that. A message
    /// from a task not handed to that worker is dropped.</summary>
    /// <returns>Null when it was taken (even if it went nowhere); otherwise why it was dropped, to log.</returns>
    public string? OnTaskMessage(int node, int workerId, TaskMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var dispatch = NewDispatch();
        RoleRefusals? refused = null;
        lock (_lock)
        {
            if (SlotLocked(node, workerId, ref refused) is not { } slot)
            {
                return NodeRefused(refused);
            }

            string? error;
            if (PlacedOnLocked(slot, message.FromTask) is not { } placement)
            {
                error = $"task {message.FromTask} is not on {slot.Name}; a worker sends messages only from the tasks it was handed";
                refused = new();
                refused.Add($"a message from task {message.FromTask}, which was not handed to {slot.Name}");
            }
            else if (message.ToTask == 0)
            {
                var observer = placement.Task.Observer;
                dispatch.After(() => observer.OnMessage(message));
                error = null;
            }
            else if (!_live.TryGetValue(message.ToTask, out var target))
            {
                error = $"task {message.ToTask} is not running or queued: it has finished, or was never submitted";
            }
            else if (target.Computation != placement.Task.Computation || target.Computation.Id == 0)
            {
                error = $"task {message.ToTask} belongs to another computation; tasks message only tasks of their own computation";
            }
            else
            {
                RouteLocked(target, message, dispatch);
                error = null;
            }

            if (message.Sequence != 0)
            {
                var ack = new MessageAck { Sequence = message.Sequence, Error = error ?? string.Empty };
                var channel = slot.Node.Channel;
                dispatch.ToNode(channel, c => c.Acknowledge(workerId, ack));
            }

            dispatch.SendAssignments();
            SealLocked(dispatch);
        }

        Done(dispatch);
        return NodeRefused(refused);
    }

    /// <summary>A task reported progress: its client hears of it, when the task was handed to that node.</summary>
    /// <returns>Null when it was taken; otherwise why it was dropped, to log.</returns>
    public string? OnProgress(int node, TaskProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        ITaskObserver? observer = null;
        RoleRefusals? refused = null;
        lock (_lock)
        {
            if (NodeLocked(node) is not { } resources)
            {
                return null; // Lost: everything it held was ended or requeued.
            }

            if (_running.TryGetValue(progress.TaskId, out var placement) && placement.Primary.Node.Index == node)
            {
                observer = placement.Task.Observer;
            }
            else
            {
                refused = new();
                refused.Add($"progress of task {progress.TaskId}, which was not handed to node {resources.Channel.NodeName}");
            }
        }

        observer?.OnProgress(progress);
        return NodeRefused(refused);
    }

    /// <summary>Sends a message to the worker that holds a live task, or keeps it with the task until one does.</summary>
    private void RouteLocked(QueuedTask target, TaskMessage message, Dispatch dispatch)
    {
        if (_running.TryGetValue(target.Id, out var placement))
        {
            var slot = placement.Primary;
            dispatch.ToNode(slot.Node.Channel, c => c.Deliver(slot.WorkerId, message));
        }
        else
        {
            (target.PendingMessages ??= []).Add(message);
        }
    }
}
