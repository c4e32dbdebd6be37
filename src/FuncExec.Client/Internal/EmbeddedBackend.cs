using FuncExec.Node;
using FuncExec.Node.Components;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler;

namespace FuncExec.Client.Internal;

/// <summary>Computations on the embedded cluster: plain calls into the scheduler in this process.</summary>
internal sealed class EmbeddedBackend : IClusterBackend
{
    private readonly ClusterScheduler _scheduler;
    private readonly LocalNode _node;
    private volatile bool _shutDown;
    // What waits on the cluster besides task handles: an exclusive computation's turn, a run, an event stream.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Action, byte> _endings = new();

    public EmbeddedBackend(ClusterScheduler scheduler, LocalNode node, TaskPreparer preparer, long maxFileSize)
    {
        _scheduler = scheduler;
        _node = node;
        Preparer = preparer;
        MaxFileSize = maxFileSize;
    }

    public TaskPreparer Preparer { get; }

    public ComponentStore Store => _node.Components;

    public TaskHandles Handles { get; } = new();

    public long MaxFileSize { get; }

    /// <summary>Why a task still waiting fails when the cluster is disposed.</summary>
    private const string InFlightMessage = "the local cluster was shut down (DisposeAsync) before this task finished; await its tasks before disposing the cluster";

    /// <summary>Why a call on a disposed cluster fails.</summary>
    private const string ClosedMessage = "the local cluster was shut down (DisposeAsync); start another with Cluster.StartLocalAsync";

    /// <summary>The cluster is gone: every task still waiting fails, and every request from now on throws, with an
    /// <see cref="ObjectDisposedException"/>.</summary>
    public void ShutDown()
    {
        _shutDown = true;
        Handles.FailAll(Disposed(InFlightMessage));
        foreach (var end in _endings.Keys)
        {
            if (_endings.TryRemove(end, out _))
            {
                end();
            }
        }
    }

    /// <summary>Ends <paramref name="run"/> with an <see cref="ObjectDisposedException"/> if the cluster is disposed
    /// before the returned registration is.</summary>
    public IDisposable Track(RunObserver run) => OnShutDown(() => run.Fail(Disposed(InFlightMessage)));

    /// <inheritdoc cref="Track(RunObserver)"/>
    public IDisposable Track(StreamedRun run) => OnShutDown(() => run.Fail(Disposed(InFlightMessage)));

    public void ThrowIfShutDown()
    {
        if (_shutDown)
        {
            throw Disposed(ClosedMessage);
        }
    }

    private static ObjectDisposedException Disposed(string message) => new(nameof(LocalCluster), message);

    // In one process there is no connection to watch: the pulse interval does not apply.
    public async Task<long> OpenComputationAsync(ComputationRequest request, TimeSpan? pulseInterval, CancellationToken cancellationToken)
    {
        ThrowIfShutDown();
        var opened = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        // An exclusive computation waiting for its turn when the cluster goes: the turn will never come.
        using var ending = OnShutDown(() => opened.TrySetException(Disposed(ClosedMessage)));
        var id = _scheduler.OpenComputation(request, Handles, computation => opened.TrySetResult(computation));
        // An exclusive computation given up while waiting for its turn must not hold the queue.
        await using var giveUp = cancellationToken.Register(() =>
        {
            if (opened.TrySetCanceled(cancellationToken))
            {
                _scheduler.CloseComputation(id);
            }
        });
        return await opened.Task.ConfigureAwait(false);
    }

    public Task CloseComputationAsync(long computation, CancellationToken cancellationToken)
    {
        if (_shutDown)
        {
            // Everything closed with the cluster.
            return Task.CompletedTask;
        }

        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_scheduler.CloseComputation(computation, () => closed.TrySetResult()))
        {
            closed.TrySetResult();
        }

        return closed.Task.WaitAsync(cancellationToken);
    }

    public Task<long[]> SubmitAsync(long computation, IReadOnlyList<SubmittedTaskSpec> tasks, IReadOnlyList<RemoteTask> handles, CancellationToken cancellationToken)
    {
        ThrowIfShutDown();
        // The embedded scheduler hands each report back with its tag, which names the handle.
        for (var i = 0; i < tasks.Count; i++)
        {
            tasks[i].Tag = Handles.Tag(handles[i]);
        }

        try
        {
            return Task.FromResult(_scheduler.Submit(computation, tasks, Handles));
        }
        catch
        {
            Handles.Untag(tasks);
            throw;
        }
    }

    public Task SendAsync(long taskId, byte[] payload, CancellationToken cancellationToken)
    {
        ThrowIfShutDown();
        var error = _scheduler.SendToTask(Handles, new TaskMessage { ToTask = taskId, PayloadJson = Google.Protobuf.ByteString.CopyFrom(payload) });
        return error is null ? Task.CompletedTask : Task.FromException(new MessageNotDeliveredException(taskId, error));
    }

    public Task CancelAsync(long taskId, TimeSpan grace, CancellationToken cancellationToken)
    {
        _scheduler.Cancel(taskId, grace);
        return Task.CompletedTask;
    }

    public Task KillAsync(long taskId, CancellationToken cancellationToken)
    {
        _scheduler.Kill(taskId);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<NodeInfo>> NodesAsync(CancellationToken cancellationToken)
    {
        var snapshot = _scheduler.Snapshot();
        IReadOnlyList<NodeInfo> nodes =
        [
            .. snapshot.Nodes.Where(n => !n.Removed).Select(n => new NodeInfo(
                n.Index, n.Name, string.Empty, [.. n.Workers.Select(w => new WorkerInfo(n.Index, n.Name, w.WorkerId, w.Core, w.State))])),
        ];
        return Task.FromResult(nodes);
    }

    public IDisposable Subscribe(long computation, Action<IReadOnlyList<ClusterEvent>> onEvents, Action<Exception?> onEnded)
    {
        var subscription = _scheduler.Subscribe(computation == 0 ? onEvents : events =>
        {
            var mine = events.Where(e => e.Concerns(computation)).ToList();
            if (mine.Count > 0)
            {
                onEvents(mine);
            }
        });
        // An event stream ends with the cluster.
        var ending = OnShutDown(() => onEnded(null));
        return new Both(ending, subscription);
    }

    /// <summary>Runs <paramref name="end"/> when the cluster is disposed (at once if it has been), unless the returned
    /// registration is disposed first.</summary>
    private Unlist OnShutDown(Action end)
    {
        // Listed before the check, so a shutdown either sees it or is seen here.
        _endings.TryAdd(end, 0);
        if (_shutDown && _endings.TryRemove(end, out _))
        {
            end();
        }

        return new Unlist(this, end);
    }

    private sealed class Unlist(EmbeddedBackend backend, Action end) : IDisposable
    {
        public void Dispose() => backend._endings.TryRemove(end, out _);
    }

    private sealed class Both(IDisposable first, IDisposable second) : IDisposable
    {
        public void Dispose()
        {
            first.Dispose();
            second.Dispose();
        }
    }
}
