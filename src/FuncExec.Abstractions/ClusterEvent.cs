
namespace FuncExec;

/// <summary>Something that happened in the cluster, as the scheduler saw it: the stream
/// <c>StatusAsync</c> yields, the profile records and the dashboard draws.</summary>
/// <param name="Time">When the scheduler saw it.</param>
public abstract record ClusterEvent(DateTimeOffset Time)
{
    /// <summary>Whether a status stream of <paramref name="computation"/> shows this event: its own tasks and
    /// scheduling, and every node and worker event. Computation 0 stands for every computation.</summary>
    public bool Concerns(long computation) => computation == 0 || this switch
    {
        TaskQueued t => t.Computation == computation,
        TaskStarted t => t.Computation == computation,
        TaskFinished t => t.Computation == computation,
        ComputationScheduled c => c.Computation == computation,
        ComputationClosed c => c.Computation == computation,
        _ => true,
    };
}

/// <summary>A node joined the cluster with <paramref name="Workers"/> workers.</summary>
public sealed record NodeJoined(DateTimeOffset Time, int Node, string NodeName, int Workers) : ClusterEvent(Time);

/// <summary>A node left the cluster: disconnected, or silent past the failure detector's limit.</summary>
public sealed record NodeLost(DateTimeOffset Time, int Node, string NodeName, string Reason) : ClusterEvent(Time);

/// <summary>A worker process is up on <paramref name="Core"/> and takes work.</summary>
public sealed record WorkerStarted(DateTimeOffset Time, int Node, int WorkerId, string Worker, int Core) : ClusterEvent(Time);

/// <summary>A worker process ended (crash, kill, timeout, its node lost); its node starts another.</summary>
public sealed record WorkerDied(DateTimeOffset Time, int Node, int WorkerId, string Worker, string Reason) : ClusterEvent(Time);

/// <summary>A task entered the queue (first submission or a retry).</summary>
public sealed record TaskQueued(DateTimeOffset Time, long TaskId, string Name, long Computation) : ClusterEvent(Time);

/// <summary>A task began on <paramref name="Worker"/>, holding <paramref name="Cores"/>.</summary>
public sealed record TaskStarted(DateTimeOffset Time, long TaskId, string Name, long Computation, string Worker, IReadOnlyList<int> Cores, int Attempt)
    : ClusterEvent(Time);

/// <summary>A task reached its final state.</summary>
public sealed record TaskFinished(DateTimeOffset Time, long TaskId, string Name, long Computation, TaskState State, string? Worker, IReadOnlyList<int> Cores,
    DateTimeOffset? Started, DateTimeOffset? Finished, int Attempts) : ClusterEvent(Time)
{
    /// <summary>Why the task did not succeed, with its causes (<see cref="RemoteError.Inner"/>): the error of its
    /// <see cref="TaskReport"/>.</summary>
    /// <remarks>Null for a task that succeeded, and in events from a scheduler older than this field.</remarks>
    public RemoteError? Error { get; init; }
}

/// <summary>A computation may run tasks (an exclusive one: its turn came).</summary>
public sealed record ComputationScheduled(DateTimeOffset Time, long Computation, string Name, bool Exclusive) : ClusterEvent(Time);

/// <summary>A computation closed; an exclusive one gives its workers to the next.</summary>
public sealed record ComputationClosed(DateTimeOffset Time, long Computation, string Name) : ClusterEvent(Time);
