using FuncExec.Protocol.V1;
using FuncExec.Scheduler.Queueing;
using FuncExec.Scheduler.Resources;

namespace FuncExec.Scheduler;

// Roles: a node reports only on the tasks the scheduler handed it, each from the worker it was
// handed to (and a result only for the attempt handed); a client acts only on its own tasks and
// computations. What does not fit is dropped and counted here; the methods that take a peer's report
// return why, so the peer's session can log it.
internal sealed partial class ClusterScheduler
{
    /// <summary>Words every refusal of a client's request about another client's task or computation carries, so
    /// the client's session can tell those from ordinary errors (a task that has ended).</summary>
    public const string AnotherClients = "another client";

    private long _refusedFromNodes;
    private long _refusedFromClients;

    /// <summary>Reports from nodes dropped so far because they did not fit the node's role: a result,
    /// progress, message, lost worker or returned task about a task the node was not given there, or a
    /// worker it does not have.</summary>
    public long RefusedFromNodes => Interlocked.Read(ref _refusedFromNodes);

    /// <summary>Client requests refused so far because they named another client's task or computation.</summary>
    public long RefusedFromClients => Interlocked.Read(ref _refusedFromClients);

    /// <summary>Worker <paramref name="workerId"/> of a node that is still in the cluster; null, with the refusal
    /// noted when the node has no such worker, and silently when the node was lost (its late reports are moot:
    /// everything it held was ended or requeued when it was lost).</summary>
    private WorkerSlot? SlotLocked(int node, int workerId, ref RoleRefusals? refused)
    {
        if (NodeLocked(node) is not { } resources)
        {
            return null;
        }

        if (workerId < 0 || workerId >= resources.Slots.Count)
        {
            (refused ??= new()).Add($"worker {workerId} is not one of its workers (it registered {resources.Slots.Count}, numbered from 0)");
            return null;
        }

        return resources.Slots[workerId];
    }

    /// <summary>Where task <paramref name="taskId"/> runs, if it was handed to <paramref name="slot"/>.</summary>
    private Placement? PlacedOnLocked(WorkerSlot slot, long taskId) =>
        _running.TryGetValue(taskId, out var placement) && placement.Primary == slot ? placement : null;

    /// <summary>Counts what a node's report carried that did not fit, and says why.</summary>
    private string? NodeRefused(RoleRefusals? refused)
    {
        if (refused is null)
        {
            return null;
        }

        Interlocked.Add(ref _refusedFromNodes, refused.Count);
        return refused.Describe();
    }

    /// <summary>Whether <paramref name="requester"/> may act on live task <paramref name="task"/>: its submitter
    /// may, and an administrator (null) may act on any. A refusal is counted.</summary>
    private bool MayActOnLocked(QueuedTask task, ITaskObserver? requester)
    {
        if (requester is null || task.Observer == requester)
        {
            return true;
        }

        Interlocked.Increment(ref _refusedFromClients);
        return false;
    }

    private static string NotHandedHere(TaskResult result, WorkerSlot slot) =>
        $"a result for task {result.TaskId} attempt {result.Attempt}, which was not handed to {slot.Name}";
}
