
namespace FuncExec;

/// <summary>
/// A FuncExec cluster: the embedded one (<see cref="Cluster.StartLocalAsync"/>) or one reached
/// through its scheduler (<see cref="Cluster.ConnectAsync"/>). Open computations on it to run work.
/// </summary>
public interface ICluster : ITaskRunner
{
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
