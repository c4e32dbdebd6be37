using System.Diagnostics;
using FuncExec.Core.Tasks;
using FuncExec.Core.Telemetry;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler.Computations;
using FuncExec.Scheduler.Journal;
using FuncExec.Scheduler.Queueing;
using FuncExec.Scheduler.Resources;

namespace FuncExec.Scheduler;

/// <summary>
/// Queues tasks, places them on free worker slots, and turns results into reports:
/// the resource manager and dispatcher of the cluster. Socket-free: nodes are reached
/// through <see cref="INodeChannel"/>, submitters through <see cref="ITaskObserver"/>.
/// </summary>
/// <remarks>
/// One lock guards all state. Tasks belong to computations (a submitter that opens none gets an
/// implicit shared one); the next task placed comes from the active computation with the fewest
/// tasks on workers, so shared computations split the workers evenly, while an open exclusive
/// computation is the only active one. Placement is strict in queue order: when the chosen head
/// task does not fit (a wide task waiting for k idle slots of one node), nothing more is placed,
/// so slots drain and a wide task is never starved by narrow ones.
/// Delivery: each task is reported to its observer exactly once; results of an attempt the
/// scheduler no longer waits for (its worker was declared lost) are dropped.
/// </remarks>
internal sealed partial class ClusterScheduler
{
    private readonly Lock _lock = new();
    // Nodes in the cluster now, in join order (so by index); a lost node leaves both once its tasks are
    // settled, so a scheduler that sees nodes come and go for months holds only those present.
    private readonly List<NodeResources> _nodes = [];
    private readonly SlotIndex _slotIndex = new();
    private readonly Dictionary<int, NodeResources> _nodeByIndex = [];
    private int _nextNodeIndex;
    private readonly Dictionary<long, Placement> _running = [];
    private readonly Dictionary<long, QueuedTask> _live = [];
    private readonly DurationEstimates _durations = new();
    private long _nextId;
    private long _nextSequence;
    private long _completed;

    /// <summary>Creates a scheduler with no nodes.</summary>
    /// <param name="options">How it orders and places work.</param>
    /// <param name="journal">Where it keeps what it must not lose, loaded already (see <see cref="Restore"/>); null for
    /// none. With one, submissions are accepted and reports delivered only once journaled.</param>
    public ClusterScheduler(SchedulerOptions? options = null, ISchedulerJournal? journal = null)
    {
        Options = options ?? SchedulerOptions.Default;
        _journal = journal;
        FuncExecMetrics.ObserveScheduler(this);
    }

    private readonly ISchedulerJournal? _journal;

    /// <summary>The journal it keeps, if any.</summary>
    public ISchedulerJournal? Journal => _journal;

    /// <summary>The options it runs with.</summary>
    public SchedulerOptions Options { get; }

    /// <summary>Tasks waiting for a slot.</summary>
    public int QueuedCount
    {
        get
        {
            lock (_lock)
            {
                return QueuedLocked();
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

    /// <summary>Tasks reported so far, in any final state.</summary>
    public long CompletedCount => Interlocked.Read(ref _completed);

    /// <summary>Nodes the scheduler holds state for: those in the cluster now (lost ones are forgotten).</summary>
    internal int NodeTableCount
    {
        get
        {
            lock (_lock)
            {
                Debug.Assert(_nodes.Count == _nodeByIndex.Count, "the node list and its index disagree");
                return _nodeByIndex.Count;
            }
        }
    }

    /// <summary>Functions the scheduler keeps a duration estimate for.</summary>
    internal int EstimatedFunctionCount
    {
        get
        {
            lock (_lock)
            {
                return _durations.Count;
            }
        }
    }

    /// <summary>Adds a node whose workers are pinned to <paramref name="workerCores"/> (worker i to core i of the list).
    /// Its workers take work once reported ready; it hears of every open computation first.</summary>
    /// <returns>The node's index, used in later calls about it. Indices are never reused, so a task pinned to a node
    /// that was lost fails rather than running on whichever node joined next.</returns>
    public int AddNode(INodeChannel channel, IReadOnlyList<int> workerCores)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(workerCores);
        var dispatch = NewDispatch();
        int index;
        lock (_lock)
        {
            var node = new NodeResources(checked(_nextNodeIndex++), channel, workerCores);
            _nodes.Add(node);
            _nodeByIndex.Add(node.Index, node);
            _slotIndex.Add(node);
            index = node.Index;
            foreach (var computation in _computations.Values)
            {
                if (computation.Id != 0 && !computation.Closing)
                {
                    channel.Computation(OpenNotice(computation));
                }
            }

            if (dispatch.RecordsEvents)
            {
                dispatch.Event(ClusterEvent.NodeJoined(Now(), index, channel.NodeName, workerCores.Count));
            }
            SealLocked(dispatch);
        }

        Done(dispatch);
        return index;
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

    /// <summary>Queues tasks for <paramref name="observer"/> in its implicit computation.</summary>
    /// <returns>The ids given to the tasks, in order.</returns>
    /// <exception cref="ResourceRequestException">A task asks for more cores than any node has, or names a node or worker
    /// that is not there; nothing was queued.</exception>
    public long[] Submit(IReadOnlyList<SubmittedTaskSpec> tasks, ITaskObserver observer) => Submit(0, tasks, observer);

    /// <summary>Queues tasks of computation <paramref name="computation"/> (0: the observer's implicit one) for <paramref name="observer"/>.</summary>
    /// <returns>The ids given to the tasks, in order.</returns>
    /// <exception cref="ResourceRequestException">A task asks for more cores than any node has, or names a node or worker
    /// that is not there; nothing was queued.</exception>
    /// <exception cref="ComputationClosedException">The computation is closed, was never opened, or another observer opened it.</exception>
    public long[] Submit(long computation, IReadOnlyList<SubmittedTaskSpec> tasks, ITaskObserver observer) => Submit(computation, tasks, observer, null);

    /// <summary>As <see cref="Submit(long, IReadOnlyList{SubmittedTaskSpec}, ITaskObserver)"/>, calling <paramref name="accepted"/> with
    /// the ids once the tasks are accepted: at once without a journal, once journaled with one (outside the lock, before
    /// any report of them).</summary>
    public long[] Submit(long computation, IReadOnlyList<SubmittedTaskSpec> tasks, ITaskObserver observer, Action<long[]>? accepted)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(observer);
        var ids = new long[tasks.Count];
        // Journaled as handed in, encoded outside the lock: a restarted scheduler queues the task again from it.
        var journalSpecs = Journal is not null && observer.JournalToken is not null ? EncodeAll(tasks) : null;
        var dispatch = NewDispatch();
        lock (_lock)
        {
            var state = computation == 0 ? ImplicitComputationLocked(observer) : OpenComputationLocked(computation, observer);
            var maxCores = MaxCoresLocked();
            foreach (var task in tasks)
            {
                ValidateLocked(task, maxCores);
            }

            state.Queue.Reserve(tasks.Count);
            for (var i = 0; i < tasks.Count; i++)
            {
                tasks[i].Assignment.Computation = computation;
                var queued = new QueuedTask(++_nextId, ++_nextSequence, tasks[i], observer, state);
                ids[i] = queued.Id;
                if (dispatch.Journaling && observer.JournalToken is { } token && journalSpecs is not null)
                {
                    dispatch.Batch!.Submitted.Add(new JournaledTask(queued.Id, token, computation, tasks[i].Tag, journalSpecs[i], 0));
                }

                _live[queued.Id] = queued;
                state.Live++;
                EnqueueLocked(queued, dispatch);
            }

            FuncExecMetrics.TasksAccepted(tasks.Count);
            if (accepted is not null)
            {
                dispatch.After(() => accepted(ids));
            }

            DispatchLocked(dispatch);
            SealLocked(dispatch);
        }

        Done(dispatch);
        return ids;
    }

    private static byte[][] EncodeAll(IReadOnlyList<SubmittedTaskSpec> tasks)
    {
        var encoded = new byte[tasks.Count][];
        for (var i = 0; i < tasks.Count; i++)
        {
            encoded[i] = JournalEncoding.EncodeSpec(tasks[i]);
        }

        return encoded;
    }

    private void ValidateLocked(SubmittedTaskSpec task, int maxCores)
    {
        // A peer's submission may leave the assignment out: the task then fails on its worker as naming no function.
        task.Assignment ??= new TaskAssignment();
        if (task.Cores < 1)
        {
            throw new ResourceRequestException($"task '{task.Name}' asks for {task.Cores} cores; a task needs at least 1");
        }

        if (task.HasTargetNode)
        {
            var target = task.TargetNode;
            if (NodeLocked(target) is not { } node)
            {
                throw new ResourceRequestException($"task '{task.Name}' is for node {target}, which is not in the cluster");
            }

            if (task.HasTargetWorker)
            {
                var worker = task.TargetWorker;
                if (worker < 0 || worker >= node.Slots.Count)
                {
                    throw new ResourceRequestException(
                        $"task '{task.Name}' is for worker {worker} of node {node.Channel.NodeName}, which has workers 0 to {node.Slots.Count - 1}");
                }

                if (task.Cores != 1)
                {
                    throw new ResourceRequestException($"task '{task.Name}' asks for {task.Cores} cores on one worker; a worker has one core, so ask for a node instead");
                }
            }
            else if (task.Cores > node.Slots.Count)
            {
                throw new ResourceRequestException(
                    $"task '{task.Name}' asks for {task.Cores} cores on node {node.Channel.NodeName}, which has {node.Slots.Count}");
            }
        }
        else if (_nodes.Count > 0 && task.Cores > maxCores)
        {
            throw new ResourceRequestException(
                $"task '{task.Name}' asks for {task.Cores} cores, but the largest node of the cluster has {maxCores}; "
                + "a task runs on one node, so ask for at most that many");
        }
    }

    /// <summary>A worker process said hello and can take work (unless its node is draining).</summary>
    /// <returns>Null when taken; otherwise why it was dropped (the node has no such worker, or is draining), to log.</returns>
    public string? WorkerReady(int node, int workerId)
    {
        var dispatch = NewDispatch();
        RoleRefusals? refused = null;
        lock (_lock)
        {
            if (SlotLocked(node, workerId, ref refused) is not { } slot)
            {
                return NodeRefused(refused);
            }

            if (slot.Node.Draining)
            {
                // A worker replaced while its node drains: the node takes no more work, whatever its workers say.
                return $"{slot.Name} said it is ready, but its node is draining";
            }

            ReadyLocked(slot, dispatch);
            DispatchLocked(dispatch);
            SealLocked(dispatch);
        }

        Done(dispatch);
        return null;
    }

    private static void ReadyLocked(WorkerSlot slot, Dispatch dispatch)
    {
        slot.Ready = true;
        slot.IdleSince = Stopwatch.GetTimestamp();
        if (dispatch.RecordsEvents)
        {
            dispatch.Event(ClusterEvent.WorkerStarted(Now(), slot.Node.Index, slot.WorkerId, slot.Name, slot.Core));
        }
    }

    /// <summary>Results a worker sent, in the order its tasks ran. Only results for the attempt of a task
    /// handed to that worker count; others are dropped.</summary>
    /// <returns>Null when all were taken; otherwise why some were dropped, to log.</returns>
    public string? OnResults(int node, int workerId, IReadOnlyList<TaskResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var dispatch = NewDispatch();
        RoleRefusals? refused = null;
        lock (_lock)
        {
            if (SlotLocked(node, workerId, ref refused) is not { } slot)
            {
                return NodeRefused(refused);
            }

            foreach (var result in results)
            {
                AcceptResultLocked(slot, result, ref refused, dispatch);
            }

            DispatchLocked(dispatch);
            SealLocked(dispatch);
        }

        Done(dispatch);
        return NodeRefused(refused);
    }

    /// <summary>
    /// A worker process ended. <paramref name="ended"/> holds the results of the tasks it was
    /// running (failed or timed out, as the node saw it); <paramref name="unstarted"/> the tasks it
    /// held but never started, which go back to the queue without using an attempt.
    /// The slot takes no work until <see cref="WorkerReady"/> is called again. Tasks not handed to that worker are
    /// left alone.
    /// </summary>
    /// <param name="node">The node's index.</param>
    /// <param name="workerId">The worker.</param>
    /// <param name="ended">Results of the tasks it ran.</param>
    /// <param name="unstarted">Tasks it held unstarted.</param>
    /// <param name="replaced">A new process (the node's warm spare) already took the worker's place: the slot is
    /// ready again at once (<see cref="WorkerReady"/> under the same lock), so the tasks waiting for a core, the ones
    /// given back here among them, are placed on it now instead of elsewhere while it is down. Unless its node drains.</param>
    /// <returns>Null when all was taken; otherwise why some was dropped, to log.</returns>
    public string? WorkerLost(int node, int workerId, IReadOnlyList<TaskResult> ended, IReadOnlyList<long> unstarted, bool replaced = false)
    {
        ArgumentNullException.ThrowIfNull(ended);
        ArgumentNullException.ThrowIfNull(unstarted);
        var dispatch = NewDispatch();
        RoleRefusals? refused = null;
        lock (_lock)
        {
            if (SlotLocked(node, workerId, ref refused) is not { } slot)
            {
                return NodeRefused(refused);
            }

            var wasReady = slot.Ready;
            slot.Ready = false;
            if (dispatch.RecordsEvents && wasReady)
            {
                var reason = ended.Count > 0 && ended[0].Error is { } error ? error.Message : "its process ended";
                dispatch.Event(ClusterEvent.WorkerDied(Now(), node, workerId, slot.Name, reason));
            }

            foreach (var result in ended)
            {
                AcceptResultLocked(slot, result, ref refused, dispatch);
            }

            ReturnedLocked(slot, unstarted, "held unstarted", ref refused, dispatch);
            if (replaced && !slot.Node.Draining)
            {
                ReadyLocked(slot, dispatch);
            }

            DispatchLocked(dispatch);
            SealLocked(dispatch);
        }

        Done(dispatch);
        return NodeRefused(refused);
    }

    /// <summary>A worker gave back tasks it had not started (answering a revoke): they are queued
    /// again without using an attempt, and placed at once. Tasks not handed to that worker are left alone.</summary>
    /// <returns>Null when all were taken; otherwise why some were dropped, to log.</returns>
    public string? TasksReturned(int node, int workerId, IReadOnlyList<long> taskIds)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        var dispatch = NewDispatch();
        RoleRefusals? refused = null;
        lock (_lock)
        {
            if (SlotLocked(node, workerId, ref refused) is not { } slot)
            {
                return NodeRefused(refused);
            }

            ReturnedLocked(slot, taskIds, "given back", ref refused, dispatch);
            DispatchLocked(dispatch);
            SealLocked(dispatch);
        }

        Done(dispatch);
        return NodeRefused(refused);
    }

    /// <summary>Takes back the tasks a worker says it did not start, if they were handed to it.</summary>
    private void ReturnedLocked(WorkerSlot slot, IReadOnlyList<long> taskIds, string how, ref RoleRefusals? refused, Dispatch dispatch)
    {
        var mine = new List<long>(taskIds.Count);
        foreach (var id in taskIds)
        {
            if (PlacedOnLocked(slot, id) is null)
            {
                (refused ??= new()).Add($"task {id} {how}, which was not handed to {slot.Name}");
            }
            else
            {
                mine.Add(id);
            }
        }

        RequeueLocked(mine, dispatch);
    }

    /// <summary>A result from <paramref name="slot"/>: taken when it is for the attempt handed to it.</summary>
    private void AcceptResultLocked(WorkerSlot slot, TaskResult result, ref RoleRefusals? refused, Dispatch dispatch)
    {
        if (PlacedOnLocked(slot, result.TaskId) is { } placement && placement.Attempt == result.Attempt)
        {
            FinishLocked(placement, result, dispatch);
        }
        else
        {
            (refused ??= new()).Add(NotHandedHere(result, slot));
        }
    }

    private void RequeueLocked(IReadOnlyList<long> taskIds, Dispatch dispatch)
    {
        foreach (var id in taskIds)
        {
            if (_running.Remove(id, out var placement))
            {
                AnnounceStart(ReleaseLocked(placement), dispatch);
                placement.Task.Attempts--;
                if (placement.Killing || placement.Cancelling || placement.Task.Computation.Closing)
                {
                    // Handed back unstarted while a kill or cancel was on its way: it ends here.
                    ReportUnstartedLocked(placement.Task, placement.Cancelling ? TaskState.Cancelled : TaskState.Killed, dispatch);
                }
                else
                {
                    EnqueueLocked(placement.Task, dispatch);
                }
            }
        }
    }

    private void EnqueueLocked(QueuedTask task, Dispatch dispatch)
    {
        var computation = task.Computation;
        task.QueuedTimestamp = Stopwatch.GetTimestamp();
        if (task.IsPinned)
        {
            computation.Pinned.Add(task);
        }
        else
        {
            computation.Queue.Enqueue(task);
            NoteQueuedLocked(task);
        }

        if (FuncExecTelemetry.ActivitySource.HasListeners())
        {
            // The start of its queue span, which is made when the task is placed.
            task.QueuedAt = DateTimeOffset.UtcNow;
        }

        if (dispatch.RecordsEvents)
        {
            dispatch.Event(ClusterEvent.TaskQueued(Now(), task.Id, task.Submitted.Name, computation.Id));
        }
    }

    /// <summary>Ends a task that never ran (killed, cancelled, or its computation closed).</summary>
    private void ReportUnstartedLocked(QueuedTask task, TaskState state, Dispatch dispatch)
    {
        var (type, message) = state switch
        {
            TaskState.Cancelled => ("FuncExec.TaskCancelled", "cancelled before it started"),
            _ when task.Computation.Closing => ("FuncExec.TaskKilled", "its computation closed before it started"),
            _ => ("FuncExec.TaskKilled", "killed on request before it started"),
        };
        ReportLocked(task, new TaskReport
        {
            Id = task.Id,
            Name = task.Submitted.Name,
            State = state,
            Error = new FuncExec.RemoteError(type, message, null, Retryable: false),
            Attempts = task.Attempts,
        }, dispatch);
    }

    /// <summary>The one way a task ends: reported to its observer, counted, announced, forgotten.</summary>
    private void ReportLocked(QueuedTask task, TaskReport report, Dispatch dispatch)
    {
        _live.Remove(task.Id);
        Interlocked.Increment(ref _completed);
        // Made only for a journaled client, whose session sends the same wire form the journal encodes.
        WireReport? wire = null;
        if (dispatch.Journaling && task.Observer.JournalToken is not null)
        {
            // Durable before its client hears of it: the report goes out from the commit's callback.
            wire = new WireReport(report, task.Submitted.Tag);
            dispatch.Batch!.Finished.Add(Journaled(task, wire));
        }

        dispatch.Report(task.Observer, new FinishedTask(task.Submitted.Tag, report) { Wire = wire });
        // Counted where the event the dashboard counts is made: both say the same of every task.
        FuncExecMetrics.TaskFinished(report.State);
        if (report.Started is { } started && report.Finished is { } finished && FuncExecMetrics.TaskDuration.Enabled)
        {
            FuncExecMetrics.TaskDuration.Record((finished - started).TotalSeconds, FuncExecMetrics.Outcome(report.State));
        }

        if (dispatch.RecordsEvents)
        {
            dispatch.Event(ClusterEvent.TaskFinished(
                Now(), task.Id, task.Submitted.Name, task.Computation.Id, report.State, report.Worker, report.Cores, report.Started, report.Finished, report.Attempts,
                // The report's own error (its causes cut where it arrived from the node): subscribers share it, no copy is made.
                report.Error));
        }

        var computation = task.Computation;
        computation.Live--;
        if (computation.Live == 0 && (computation.Closing || computation.Id == 0))
        {
            EndComputationLocked(computation, dispatch);
        }
    }

    /// <summary><paramref name="task"/>'s report as the journal keeps it, encoded by the journal's writer, not under the
    /// scheduler's lock (a map chunk's result is tens of kilobytes).</summary>
    private static JournaledResult Journaled(QueuedTask task, WireReport report) =>
        new(task.Id, report, task.Submitted.Assignment.MapChunk, DateTimeOffset.UtcNow);

    private int QueuedLocked()
    {
        var count = 0;
        foreach (var computation in _computations.Values)
        {
            count += computation.Queue.Count + computation.Pinned.Count;
        }

        return count;
    }

    /// <summary>The cores the tasks not started yet ask for: queued (pinned ones too), or prefetched by a worker behind
    /// the task it runs.</summary>
    private long QueuedCoresLocked()
    {
        long cores = 0;
        foreach (var computation in _computations.Values)
        {
            cores += computation.Queue.Cores;
            foreach (var pinned in computation.Pinned)
            {
                cores += pinned.Cores;
            }
        }

        foreach (var node in _nodes)
        {
            foreach (var slot in node.Slots)
            {
                for (var next = slot.Line.First?.Next; next is not null; next = next.Next)
                {
                    cores += next.Value.Task.Cores;
                }
            }
        }

        return cores;
    }

    private int MaxCoresLocked()
    {
        var max = 0;
        foreach (var node in _nodes)
        {
            max = Math.Max(max, node.Slots.Count);
        }

        return max;
    }

    /// <summary>Node <paramref name="index"/> if it is in the cluster now; null when it was lost (or never was).</summary>
    private NodeResources? NodeLocked(int index) => _nodeByIndex.GetValueOrDefault(index);
}
