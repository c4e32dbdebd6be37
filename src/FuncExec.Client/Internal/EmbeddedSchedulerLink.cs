using FuncExec.Node;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler;

namespace FuncExec.Client.Internal;

/// <summary>A node inside the scheduler's process: reports are plain calls.</summary>
internal sealed class EmbeddedSchedulerLink : ISchedulerLink
{
    private readonly ClusterScheduler _scheduler;
    private readonly int _nodeIndex;

    /// <summary>Links to node <paramref name="nodeIndex"/> of <paramref name="scheduler"/>.</summary>
    public EmbeddedSchedulerLink(ClusterScheduler scheduler, int nodeIndex)
    {
        _scheduler = scheduler;
        _nodeIndex = nodeIndex;
    }

    /// <inheritdoc />
    public void NodeDraining() => _scheduler.NodeDraining(_nodeIndex);

    /// <inheritdoc />
    public void WorkerReady(int workerId) => _scheduler.WorkerReady(_nodeIndex, workerId);

    /// <inheritdoc />
    public void OnResults(int workerId, IReadOnlyList<TaskResult> results) => _scheduler.OnResults(_nodeIndex, workerId, results);

    /// <inheritdoc />
    public void TasksReturned(int workerId, IReadOnlyList<long> taskIds) => _scheduler.TasksReturned(_nodeIndex, workerId, taskIds);

    /// <inheritdoc />
    public void WorkerLost(int workerId, IReadOnlyList<TaskResult> ended, IReadOnlyList<long> unstarted) =>
        _scheduler.WorkerLost(_nodeIndex, workerId, ended, unstarted);

    /// <inheritdoc />
    public void WorkerReplaced(int workerId, IReadOnlyList<TaskResult> ended, IReadOnlyList<long> unstarted) =>
        _scheduler.WorkerLost(_nodeIndex, workerId, ended, unstarted, replaced: true);

    /// <inheritdoc />
    public void OnTaskMessage(int workerId, TaskMessage message) => _scheduler.OnTaskMessage(_nodeIndex, workerId, message);

    /// <inheritdoc />
    public void OnProgress(int workerId, TaskProgress progress) => _scheduler.OnProgress(_nodeIndex, progress);
}
