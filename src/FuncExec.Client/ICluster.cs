
namespace FuncExec;

/// <summary>
/// A FuncExec cluster: the embedded one (<see cref="Cluster.StartLocalAsync"/>) or one reached
/// through its scheduler (<see cref="Cluster.ConnectAsync"/>). Open computations on it to run work.
/// </summary>
public interface ICluster : IAsyncDisposable
{
    /// <summary>Workers available now.</summary>
    int WorkerCount { get; }

    /// <summary>The most cores one task may ask for.</summary>
    int MaxTaskCores { get; }

    /// <summary>
    /// Runs task descriptions (<see cref="TaskSpec"/>'s factories: a method by name, a code string, a command), as
    /// <c>funcexec run</c> runs a task file, and returns their reports in the same order. A task that fails does not
    /// stop the others; <paramref name="onFinished"/> hears of each (by position) as it ends.
    /// </summary>
    /// <exception cref="ResourceRequestException">A task asks for more cores than a node has; nothing ran.</exception>
    Task<IReadOnlyList<TaskReport>> RunAsync(IReadOnlyList<TaskSpec> tasks, Action<int, TaskReport>? onFinished = null, CancellationToken cancellationToken = default);

    /// <summary>The embedded cluster's dashboard, when <see cref="LocalClusterOptions.Dashboard"/> asked for one; null
    /// otherwise (a scheduler's dashboard is at its own address: <c>funcexec scheduler --dashboard</c>).</summary>
    Uri? DashboardUrl => null;

    /// <summary>Kills task <paramref name="taskId"/> (an id from <see cref="StatusAsync"/> or a report), whichever client submitted it.</summary>
    /// <remarks>An administrative kill, as <c>funcexec kill</c> does: a scheduler logs it with this client's name. A task's own
    /// <see cref="RemoteTask.KillAsync"/> kills only the tasks this client submitted.</remarks>
    /// <returns><c>killed</c> (it was still queued), <c>sent</c> (its node kills it; its submitter gets the final report), or <c>not-found</c>.</returns>
    Task<string> KillAsync(long taskId, CancellationToken cancellationToken = default);

    /// <summary>Finished tasks' reports by id. A scheduler answers from its memory while their client has not received them,
    /// else from its journal, for its result retention time (<c>funcexec scheduler --result-retention</c>, a day by default);
    /// the embedded cluster keeps no report once it has handed it over, so it knows only which tasks are still pending.</summary>
    /// <param name="taskIds">Task ids, as reports and <c>funcexec status</c> show them.</param>
    /// <param name="anyClient">Read any client's tasks, as <c>funcexec result</c> does (the cluster's secret is the
    /// right to); false for only the tasks this client submitted.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The reports found, in the order asked, and which ids are still pending or unknown.</returns>
    Task<TaskResults> GetResultsAsync(IReadOnlyList<long> taskIds, bool anyClient = false, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens a computation: its components are sent to every node (once per node, by content), and
    /// it may run tasks once this returns. An exclusive computation waits here for its turn.
    /// </summary>
    /// <exception cref="ComponentRefusedException">A component is over the size cap.</exception>
    Task<Computation> ScheduleAsync(ComputationOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>The nodes of the cluster now, with their workers.</summary>
    Task<IReadOnlyList<NodeInfo>> NodesAsync(CancellationToken cancellationToken = default);

    /// <summary>Every worker of the cluster now.</summary>
    Task<IReadOnlyList<WorkerInfo>> WorkersAsync(CancellationToken cancellationToken = default);

    /// <summary>The cluster's events from this call on (not from the first read): nodes joining and lost,
    /// workers started and died, tasks queued, started and finished, computations scheduled and closed.
    /// It listens until its reader stops or <paramref name="cancellationToken"/> fires.</summary>
    IAsyncEnumerable<ClusterEvent> StatusAsync(CancellationToken cancellationToken = default);
}
