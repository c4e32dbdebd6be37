using FuncExec.Protocol.V1;
using FuncExec.Scheduler.Queueing;

namespace FuncExec.Scheduler;

public sealed partial class ClusterScheduler
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
            if (_live.TryGetValue(message.ToTask, out var target) && target.Observer == sender)
            {
                RouteLocked(target, message, dispatch);
            }
            else
            {
                error = $"task {message.ToTask} is not running or queued for this client: it has finished, or was never submitted by it";
            }

            dispatch.SendAssignments();
        }

        Done(dispatch);
        return error;
    }

    /// <summary>A task on a worker sent a message: to its client (to_task 0) or to another task of its computation.
    /// The sender's worker hears whether it went on (a <see cref="MessageAck"/>) when it asked for that.</summary>
    public void OnTaskMessage(int node, int workerId, TaskMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var dispatch = NewDispatch();
        lock (_lock)
        {
            string? error;
            if (!_live.TryGetValue(message.FromTask, out var from))
            {
                error = $"task {message.FromTask} has ended; a message from it goes nowhere";
            }
            else if (message.ToTask == 0)
            {
                var observer = from.Observer;
                dispatch.After(() => observer.OnMessage(message));
                error = null;
            }
            else if (!_live.TryGetValue(message.ToTask, out var target))
            {
                error = $"task {message.ToTask} is not running or queued: it has finished, or was never submitted";
            }
            else if (target.Computation != from.Computation || from.Computation.Id == 0)
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
                var channel = _nodes[node].Channel;
                dispatch.ToNode(channel, c => c.Acknowledge(workerId, ack));
            }

            dispatch.SendAssignments();
        }

        Done(dispatch);
    }

    /// <summary>A task reported progress: its client hears of it.</summary>
    public void OnProgress(int node, TaskProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        ITaskObserver? observer;
        lock (_lock)
        {
            observer = _live.TryGetValue(progress.TaskId, out var task) ? task.Observer : null;
        }

        observer?.OnProgress(progress);
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
