using FuncExec.Core.Errors;
using FuncExec.Core.Tasks;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler.Queueing;
using FuncExec.Scheduler.Resources;

namespace FuncExec.Scheduler;

/// <summary>
/// Queues tasks, places them on free worker slots, and turns results into reports:
/// the resource manager and dispatcher of the cluster. Socket-free: nodes are reached
/// through <see cref="INodeChannel"/>, submitters through <see cref="ITaskObserver"/>.
/// </summary>
/// <remarks>
/// One lock guards all state. Placement is strict in queue order: when the head task does not
/// fit (a wide task waiting for k idle slots of one node), nothing behind it is placed, so
/// slots drain and a wide task is never starved by narrow ones behind it.
/// Delivery: each task is reported to its observer exactly once; results of an attempt the
/// scheduler no longer waits for (its worker was declared lost) are dropped.
/// </remarks>
public sealed partial class ClusterScheduler
{
    private readonly Lock _lock = new();
    private readonly TaskQueue _queue;
    private readonly List<NodeResources> _nodes = [];
    private readonly Dictionary<long, Placement> _running = [];
    private readonly DurationEstimates _durations = new();
    private long _nextId;
    private long _nextSequence;

    /// <summary>Creates a scheduler with no nodes.</summary>
    public ClusterScheduler(SchedulerOptions? options = null)
    {
        Options = options ?? SchedulerOptions.Default;
        _queue = new TaskQueue(Options.Order);
    }

    /// <summary>The options it runs with.</summary>
    public SchedulerOptions Options { get; }

    /// <summary>Tasks waiting for a slot.</summary>
    public int QueuedCount
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Tasks handed to workers and not yet reported.</summary>
    public int RunningCount
    {
        get
        {
            lock (_lock)
            {
                return _running.Count;
            }
        }
    }

    /// <summary>Adds a node whose workers are pinned to <paramref name="workerCores"/> (worker i to core i of the list).
    /// Its workers take work once reported ready.</summary>
    /// <returns>The node's index, used in later calls about it.</returns>
    public int AddNode(INodeChannel channel, IReadOnlyList<int> workerCores)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(workerCores);
        lock (_lock)
        {
            var node = new NodeResources(_nodes.Count, channel, workerCores);
            _nodes.Add(node);
            return node.Index;
        }
    }

    /// <summary>The largest number of cores one task can hold: the most workers of any node.</summary>
    public int MaxTaskCores
    {
        get
        {
            lock (_lock)
            {
                return MaxCoresLocked();
            }
        }
    }

    /// <summary>Queues tasks for <paramref name="observer"/>.</summary>
    /// <returns>The ids given to the tasks, in order.</returns>
    /// <exception cref="ResourceRequestException">A task asks for more cores than any node has; nothing was queued.</exception>
    public long[] Submit(IReadOnlyList<SubmittedTask> tasks, ITaskObserver observer)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(observer);
        var ids = new long[tasks.Count];
        Dispatch dispatch;
        lock (_lock)
        {
            var maxCores = MaxCoresLocked();
            foreach (var task in tasks)
            {
                if (task.Cores < 1)
                {
                    throw new ResourceRequestException($"task '{task.Name}' asks for {task.Cores} cores; a task needs at least 1");
                }

                if (_nodes.Count > 0 && task.Cores > maxCores)
                {
                    throw new ResourceRequestException(
                        $"task '{task.Name}' asks for {task.Cores} cores, but the largest node of the cluster has {maxCores}; "
                        + "a task runs on one node, so ask for at most that many");
                }
            }

            for (var i = 0; i < tasks.Count; i++)
            {
                var queued = new QueuedTask(++_nextId, ++_nextSequence, tasks[i], observer);
                ids[i] = queued.Id;
                _queue.Enqueue(queued);
            }

            dispatch = DispatchLocked();
        }

        dispatch.Complete();
        return ids;
    }

    /// <summary>A worker process said hello and can take work.</summary>
    public void WorkerReady(int node, int workerId)
    {
        Dispatch dispatch;
        lock (_lock)
        {
            _nodes[node].Slots[workerId].Ready = true;
            dispatch = DispatchLocked();
        }

        dispatch.Complete();
    }

    /// <summary>Results a worker sent, in the order its tasks ran.</summary>
    public void OnResults(int node, int workerId, IReadOnlyList<TaskResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        Dispatch dispatch;
        lock (_lock)
        {
            dispatch = new Dispatch();
            foreach (var result in results)
            {
                FinishLocked(result, dispatch);
            }

            DispatchLocked(dispatch);
        }

        dispatch.Complete();
    }

    /// <summary>
    /// A worker process ended. <paramref name="ended"/> holds the results of the tasks it was
    /// running (failed or timed out, as the node saw it); <paramref name="unstarted"/> the tasks it
    /// held but never started, which go back to the queue without using an attempt.
    /// The slot takes no work until <see cref="WorkerReady"/> is called again.
    /// </summary>
    public void WorkerLost(int node, int workerId, IReadOnlyList<TaskResult> ended, IReadOnlyList<long> unstarted)
    {
        ArgumentNullException.ThrowIfNull(ended);
        ArgumentNullException.ThrowIfNull(unstarted);
        Dispatch dispatch;
        lock (_lock)
        {
            var slot = _nodes[node].Slots[workerId];
            slot.Ready = false;
            dispatch = new Dispatch();
            foreach (var result in ended)
            {
                FinishLocked(result, dispatch);
            }

            RequeueLocked(unstarted, dispatch);

            DispatchLocked(dispatch);
        }

        dispatch.Complete();
    }

    /// <summary>A worker gave back tasks it had not started (answering a revoke): they are queued
    /// again without using an attempt, and placed at once.</summary>
    public void TasksReturned(int node, int workerId, IReadOnlyList<long> taskIds)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        Dispatch dispatch;
        lock (_lock)
        {
            dispatch = new Dispatch();
            RequeueLocked(taskIds, dispatch);
            DispatchLocked(dispatch);
        }

        dispatch.Complete();
    }

    private void RequeueLocked(IReadOnlyList<long> taskIds, Dispatch dispatch)
    {
        foreach (var id in taskIds)
        {
            if (_running.Remove(id, out var placement))
            {
                ReleaseLocked(placement);
                placement.Task.Attempts--;
                if (placement.Killing)
                {
                    // Handed back unstarted while a kill was on its way: it ends here, killed.
                    ReportKilledUnstarted(placement.Task, dispatch);
                }
                else
                {
                    _queue.Enqueue(placement.Task);
                }
            }
        }
    }

    private static void ReportKilledUnstarted(QueuedTask task, Dispatch dispatch) =>
        dispatch.Report(task.Observer, new FinishedTask(task.Submitted, new TaskReport
        {
            Id = task.Id,
            Name = task.Submitted.Name,
            State = TaskState.Killed,
            Error = new Core.Tasks.RemoteError("FuncExec.TaskKilled", "killed on request before it started", null, Retryable: false),
            Attempts = task.Attempts,
        }));

    private int MaxCoresLocked()
    {
        var max = 0;
        foreach (var node in _nodes)
        {
            if (!node.Removed)
            {
                max = Math.Max(max, node.Slots.Count);
            }
        }

        return max;
    }
}
