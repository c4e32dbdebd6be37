
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
