using FuncExec.Protocol.V1;
using FuncExec.Node.Components;
using FuncExec.Scheduler;

namespace FuncExec.Client.Internal;

/// <summary>What a <see cref="Computation"/> needs from its cluster: the embedded scheduler called
/// directly, or a remote one over its connection.</summary>
internal interface IClusterBackend
{
    /// <summary>Turns assemblies, code and files into components.</summary>
    TaskPreparer Preparer { get; }

    /// <summary>Where components are put before they travel.</summary>
    ComponentStore Store { get; }

    /// <summary>The handles of submitted tasks, by id, for messages and progress.</summary>
    TaskHandles Handles { get; }

    /// <summary>The largest file a component may have here, in bytes.</summary>
    long MaxFileSize { get; }

    /// <summary>Opens a computation; completes when it may place tasks (an exclusive one: when its turn comes).</summary>
    Task<long> OpenComputationAsync(ComputationRequest request, TimeSpan? pulseInterval, CancellationToken cancellationToken);

    /// <summary>Closes a computation; completes when its last task is reported and nodes have unloaded it.</summary>
    Task CloseComputationAsync(long computation, CancellationToken cancellationToken);

    /// <summary>Submits tasks of a computation, each reported to its handle; the backend tags them.</summary>
    /// <returns>The ids, in order.</returns>
    Task<long[]> SubmitAsync(long computation, IReadOnlyList<SubmittedTaskSpec> tasks, IReadOnlyList<RemoteTask> handles, CancellationToken cancellationToken);

    /// <summary>Sends a message to a task; completes when the scheduler has taken it on.</summary>
    Task SendAsync(long taskId, byte[] payload, CancellationToken cancellationToken);

    Task CancelAsync(long taskId, TimeSpan grace, CancellationToken cancellationToken);

    Task KillAsync(long taskId, CancellationToken cancellationToken);

    Task<IReadOnlyList<NodeInfo>> NodesAsync(CancellationToken cancellationToken);

    /// <summary>Hears every cluster event from now on, of one computation's tasks (and every node and worker event) or all (0);
    /// <paramref name="onEnded"/> hears when no more will come: null when the cluster was disposed, or why (the scheduler is gone).</summary>
    IDisposable Subscribe(long computation, Action<IReadOnlyList<ClusterEvent>> onEvents, Action<Exception?> onEnded);
}
