
namespace FuncExec;

/// <summary>What a <see cref="ClusterEvent"/> says happened.</summary>
public enum ClusterEventKind
{
    /// <summary>A node joined the cluster with <see cref="ClusterEvent.Workers"/> workers
    /// (<see cref="ClusterEvent.Node"/>, <see cref="ClusterEvent.NodeName"/>).</summary>
    NodeJoined,

    /// <summary>A node left the cluster, disconnected or silent past the failure detector's limit
    /// (<see cref="ClusterEvent.Node"/>, <see cref="ClusterEvent.NodeName"/>, <see cref="ClusterEvent.Reason"/>).</summary>
    NodeLost,

    /// <summary>A worker process is up on its core and takes work (<see cref="ClusterEvent.Node"/>,
    /// <see cref="ClusterEvent.WorkerId"/>, <see cref="ClusterEvent.Worker"/>, its core in <see cref="ClusterEvent.Cores"/>).</summary>
    WorkerStarted,

    /// <summary>A worker process ended (crash, kill, timeout, its node lost); its node starts another
    /// (<see cref="ClusterEvent.Node"/>, <see cref="ClusterEvent.WorkerId"/>, <see cref="ClusterEvent.Worker"/>,
    /// <see cref="ClusterEvent.Reason"/>).</summary>
    WorkerDied,

    /// <summary>A task entered the queue, first submitted or retried (<see cref="ClusterEvent.TaskId"/>,
    /// <see cref="ClusterEvent.Name"/>, <see cref="ClusterEvent.Computation"/>).</summary>
    TaskQueued,

    /// <summary>A task began on <see cref="ClusterEvent.Worker"/>, holding <see cref="ClusterEvent.Cores"/>, in its
    /// <see cref="ClusterEvent.Attempt"/>th attempt.</summary>
    TaskStarted,

    /// <summary>A task reached its final <see cref="ClusterEvent.State"/>, with <see cref="ClusterEvent.Started"/>,
    /// <see cref="ClusterEvent.Finished"/>, its attempts in <see cref="ClusterEvent.Attempt"/> and, when it did not
    /// succeed, its <see cref="ClusterEvent.Error"/>.</summary>
    TaskFinished,

    /// <summary>A computation may run tasks: an exclusive one (<see cref="ClusterEvent.Exclusive"/>) had its turn come
    /// (<see cref="ClusterEvent.Computation"/>, <see cref="ClusterEvent.Name"/>).</summary>
    ComputationScheduled,

    /// <summary>A computation closed; an exclusive one gives its workers to the next
    /// (<see cref="ClusterEvent.Computation"/>, <see cref="ClusterEvent.Name"/>).</summary>
    ComputationClosed,

    /// <summary>A node is stopping (SIGTERM, <c>funcexec slurm down</c>, its host shutting down): it takes no more
    /// work, its unstarted tasks go back to the queue, and it leaves once its running tasks end
    /// (<see cref="ClusterEvent.Node"/>, <see cref="ClusterEvent.NodeName"/>). Its leaving is then a
    /// <see cref="NodeLost"/> whose <see cref="ClusterEvent.Reason"/> says it drained.</summary>
    NodeDraining,

    /// <summary>An adaptive cluster manager (a client) decided to change how many nodes the cluster has:
    /// <see cref="ClusterEvent.Reason"/> says what and why, <see cref="ClusterEvent.Workers"/> is how many nodes it
    /// wants now, and <see cref="ClusterEvent.Name"/> names the client.</summary>
    Scaling,
}

/// <summary>Something that happened in the cluster, as the scheduler saw it: the stream
/// <c>StatusAsync</c> yields, the profile records and the dashboard draws.</summary>
/// <remarks>One record serves every <see cref="ClusterEventKind"/>: read <see cref="Kind"/>, then the properties its
/// documentation names. A property an event does not use keeps its default: 0, an empty string or list, or null.</remarks>
/// <param name="Kind">What happened.</param>
/// <param name="Time">When the scheduler saw it.</param>
public sealed record ClusterEvent(ClusterEventKind Kind, DateTimeOffset Time)
{
    /// <summary>The node's index in the cluster (node and worker events).</summary>
    public int Node { get; init; }

    /// <summary>The node's name (node events).</summary>
    public string NodeName { get; init; } = string.Empty;

    /// <summary>How many workers the node brought (<see cref="ClusterEventKind.NodeJoined"/>).</summary>
    public int Workers { get; init; }

    /// <summary>The worker's index on its node (worker events).</summary>
    public int WorkerId { get; init; }

    /// <summary>The worker's name, <c>node/worker</c> (worker events, and task events once a worker ran the task);
    /// null when no worker did.</summary>
    public string? Worker { get; init; }

    /// <summary>The task's id (task events).</summary>
    public long TaskId { get; init; }

    /// <summary>The task's name (task events) or the computation's (computation events).</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>The computation the task belongs to (task events, 0 for none), or the computation itself
    /// (computation events).</summary>
    public long Computation { get; init; }

    /// <summary>The cores the task held (<see cref="ClusterEventKind.TaskStarted"/>,
    /// <see cref="ClusterEventKind.TaskFinished"/>), or the worker's core (<see cref="ClusterEventKind.WorkerStarted"/>).</summary>
    public IReadOnlyList<int> Cores { get; init; } = [];

    /// <summary>The attempt that started (<see cref="ClusterEventKind.TaskStarted"/>, from 1), or how many attempts
    /// the task had (<see cref="ClusterEventKind.TaskFinished"/>).</summary>
    public int Attempt { get; init; }

    /// <summary>The task's final state (<see cref="ClusterEventKind.TaskFinished"/>); null for other events.</summary>
    public TaskState? State { get; init; }

    /// <summary>When the task's last attempt began on a worker (<see cref="ClusterEventKind.TaskFinished"/>); null
    /// when it never did.</summary>
    public DateTimeOffset? Started { get; init; }

    /// <summary>When the task finished (<see cref="ClusterEventKind.TaskFinished"/>).</summary>
    public DateTimeOffset? Finished { get; init; }

    /// <summary>Why the task did not succeed, with its causes (<see cref="RemoteError.Inner"/>): the error of its
    /// <see cref="TaskReport"/> (<see cref="ClusterEventKind.TaskFinished"/>).</summary>
    /// <remarks>Null for a task that succeeded, and in events from a scheduler older than this field.</remarks>
    public RemoteError? Error { get; init; }

    /// <summary>Why the node or worker went (<see cref="ClusterEventKind.NodeLost"/>,
    /// <see cref="ClusterEventKind.WorkerDied"/>).</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>Whether the computation holds its workers alone (<see cref="ClusterEventKind.ComputationScheduled"/>).</summary>
    public bool Exclusive { get; init; }

    /// <summary>Whether a status stream of <paramref name="computation"/> shows this event: its own tasks and
    /// scheduling, and every node and worker event. Computation 0 stands for every computation.</summary>
    public bool Concerns(long computation) => computation == 0 || Kind switch
    {
        ClusterEventKind.TaskQueued or ClusterEventKind.TaskStarted or ClusterEventKind.TaskFinished
            or ClusterEventKind.ComputationScheduled or ClusterEventKind.ComputationClosed => Computation == computation,
        _ => true,
    };

    /// <summary>Whether this is a task event (queued, started, finished).</summary>
    internal bool IsTaskEvent => Kind is ClusterEventKind.TaskQueued or ClusterEventKind.TaskStarted or ClusterEventKind.TaskFinished;

    internal static ClusterEvent NodeJoined(DateTimeOffset time, int node, string nodeName, int workers) =>
        new(ClusterEventKind.NodeJoined, time) { Node = node, NodeName = nodeName, Workers = workers };

    internal static ClusterEvent NodeLost(DateTimeOffset time, int node, string nodeName, string reason) =>
        new(ClusterEventKind.NodeLost, time) { Node = node, NodeName = nodeName, Reason = reason };

    internal static ClusterEvent NodeDraining(DateTimeOffset time, int node, string nodeName) =>
        new(ClusterEventKind.NodeDraining, time) { Node = node, NodeName = nodeName };

    internal static ClusterEvent Scaling(DateTimeOffset time, string client, string text, int targetNodes) =>
        new(ClusterEventKind.Scaling, time) { Name = client, Reason = text, Workers = targetNodes };

    internal static ClusterEvent WorkerStarted(DateTimeOffset time, int node, int workerId, string worker, int core) =>
        new(ClusterEventKind.WorkerStarted, time) { Node = node, WorkerId = workerId, Worker = worker, Cores = core >= 0 ? [core] : [] };

    internal static ClusterEvent WorkerDied(DateTimeOffset time, int node, int workerId, string worker, string reason) =>
        new(ClusterEventKind.WorkerDied, time) { Node = node, WorkerId = workerId, Worker = worker, Reason = reason };

    internal static ClusterEvent TaskQueued(DateTimeOffset time, long taskId, string name, long computation) =>
        new(ClusterEventKind.TaskQueued, time) { TaskId = taskId, Name = name, Computation = computation };

    internal static ClusterEvent TaskStarted(DateTimeOffset time, long taskId, string name, long computation, string worker, IReadOnlyList<int> cores, int attempt) =>
        new(ClusterEventKind.TaskStarted, time) { TaskId = taskId, Name = name, Computation = computation, Worker = worker, Cores = cores, Attempt = attempt };

    internal static ClusterEvent TaskFinished(DateTimeOffset time, long taskId, string name, long computation, TaskState state, string? worker,
        IReadOnlyList<int> cores, DateTimeOffset? started, DateTimeOffset? finished, int attempts, RemoteError? error = null) =>
        new(ClusterEventKind.TaskFinished, time)
        {
            TaskId = taskId, Name = name, Computation = computation, State = state, Worker = worker, Cores = cores,
            Started = started, Finished = finished, Attempt = attempts, Error = error,
        };

    internal static ClusterEvent ComputationScheduled(DateTimeOffset time, long computation, string name, bool exclusive) =>
        new(ClusterEventKind.ComputationScheduled, time) { Computation = computation, Name = name, Exclusive = exclusive };

    internal static ClusterEvent ComputationClosed(DateTimeOffset time, long computation, string name) =>
        new(ClusterEventKind.ComputationClosed, time) { Computation = computation, Name = name };
}
