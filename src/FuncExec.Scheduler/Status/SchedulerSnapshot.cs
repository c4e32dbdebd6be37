namespace FuncExec.Scheduler.Status;

/// <summary>What the scheduler holds at one moment: nodes and workers, queued and running tasks.</summary>
/// <remarks><c>Queued</c> counts every task not started: in the scheduler's queue, or prefetched by a worker.</remarks>
internal sealed record SchedulerSnapshot(IReadOnlyList<NodeSnapshot> Nodes, int Queued, IReadOnlyList<RunningTaskSnapshot> Running)
{
    /// <summary>Workers running a task or held by a multi-core one.</summary>
    public int BusyWorkers { get; init; }

    /// <summary>Tasks reported so far, in any final state.</summary>
    public long Completed { get; init; }

    /// <summary>The open computations.</summary>
    public IReadOnlyList<ComputationSnapshot> Computations { get; init; } = [];

    /// <summary>The cores the tasks not started yet ask for (those counted in <c>Queued</c>).</summary>
    public long QueuedCores { get; init; }
}

/// <summary>An open computation.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Name">Its name.</param>
/// <param name="Exclusive">Whether it holds every worker while open.</param>
/// <param name="Active">Whether it may place tasks (an exclusive one waits for its turn).</param>
/// <param name="Queued">Its tasks waiting in the scheduler.</param>
/// <param name="OnWorkers">Its tasks on workers, running or prefetched.</param>
/// <param name="Client">The name of the submitter that opened it (<see cref="ITaskObserver.Name"/>), when it has one.</param>
internal sealed record ComputationSnapshot(long Id, string Name, bool Exclusive, bool Active, int Queued, int OnWorkers, string? Client = null);

/// <summary>A node as the scheduler sees it.</summary>
/// <param name="Index">The index given at <see cref="ClusterScheduler.AddNode"/>.</param>
/// <param name="Name">The node's name.</param>
/// <param name="Removed">The node was lost or left. Lost nodes are left out of snapshots, so the scheduler gives false.</param>
/// <param name="Workers">Its workers.</param>
/// <param name="Idle">How long every worker of it has been ready with nothing to do; null while one has a task, starts,
/// or the node drains.</param>
internal sealed record NodeSnapshot(int Index, string Name, bool Removed, IReadOnlyList<WorkerSnapshot> Workers, TimeSpan? Idle = null);

/// <summary>A worker slot.</summary>
/// <param name="WorkerId">Its id within its node.</param>
/// <param name="Core">The core it is pinned to.</param>
/// <param name="State"><c>idle</c>, <c>busy</c>, <c>held</c> (by a multi-core task), <c>starting</c> (no process said hello yet), or <c>draining</c> (its node is stopping).</param>
/// <param name="InFlight">Tasks handed to it and not reported back.</param>
/// <param name="CurrentTaskId">The task it is running, or 0.</param>
/// <param name="CurrentTaskName">That task's name.</param>
internal sealed record WorkerSnapshot(int WorkerId, int Core, string State, int InFlight, long CurrentTaskId, string? CurrentTaskName);

/// <summary>A task handed to a worker.</summary>
internal sealed record RunningTaskSnapshot(long Id, string Name, string Worker, IReadOnlyList<int> Cores, int Attempt, long Computation = 0);
