using FuncExec.Protocol.V1;

namespace FuncExec.Node;

/// <summary>The node's way to its scheduler: what it reports about its workers.</summary>
internal interface ISchedulerLink
{
    /// <summary>The node is stopping: the scheduler places nothing more on it.</summary>
    void NodeDraining();

    /// <summary>A worker process is up and can take work.</summary>
    void WorkerReady(int workerId);

    /// <summary>A worker sent results, in the order its tasks ran.</summary>
    void OnResults(int workerId, IReadOnlyList<TaskResult> results);

    /// <summary>A worker gave back tasks it had not started (answering a revoke).</summary>
    void TasksReturned(int workerId, IReadOnlyList<long> taskIds);

    /// <summary>A worker process ended: results for the task it was running, and the tasks it held unstarted.</summary>
    void WorkerLost(int workerId, IReadOnlyList<TaskResult> ended, IReadOnlyList<long> unstarted);

    /// <summary>
    /// A worker process ended and another (the warm spare) already took its place: <see cref="WorkerLost"/> and
    /// <see cref="WorkerReady"/> at once, so the tasks waiting for a core go straight to the new process rather than
    /// being placed elsewhere while the slot is down and taken back when it comes up.
    /// </summary>
    void WorkerReplaced(int workerId, IReadOnlyList<TaskResult> ended, IReadOnlyList<long> unstarted);

    /// <summary>A task running on a worker sent a message (to its client or another task).</summary>
    void OnTaskMessage(int workerId, TaskMessage message);

    /// <summary>A task running on a worker reported progress.</summary>
    void OnProgress(int workerId, TaskProgress progress);
}
