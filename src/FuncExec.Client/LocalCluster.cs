using FuncExec.Client.Internal;
using FuncExec.Dashboard;
using FuncExec.Core.Tasks;
using FuncExec.Node;
using FuncExec.Reporting;
using FuncExec.Scheduler;
using Microsoft.Extensions.Logging.Abstractions;

namespace FuncExec;

/// <summary>
/// The embedded cluster: a scheduler and a node inside this process, with real worker
/// processes, one pinned to each core, so a crashing or killed task never takes this
/// process down.
/// </summary>
/// <example>
/// <code>
/// await using var cluster = await Cluster.StartLocalAsync();
/// var reports = await cluster.RunAsync(tasks);
/// </code>
/// </example>
internal sealed class LocalCluster : ICluster
{
    private readonly LocalNode _node;
    private readonly ClusterScheduler _scheduler;
    private readonly TaskPreparer _preparer;
    private readonly EmbeddedBackend _backend;
    private SchedulerProfile? _profile;
    private DashboardServer? _dashboard;
    private int _disposed;

    private LocalCluster(LocalNode node, ClusterScheduler scheduler, TaskPreparer preparer, long maxFileSize)
    {
        _node = node;
        _scheduler = scheduler;
        _preparer = preparer;
        _backend = new EmbeddedBackend(scheduler, node, preparer, maxFileSize);
    }

    /// <summary>Worker i runs on core <c>WorkerCores[i]</c>.</summary>
    public IReadOnlyList<int> WorkerCores => _node.WorkerCores;

    /// <summary>The worker processes' ids, by worker; 0 while one is being replaced.</summary>
    public IReadOnlyList<int> WorkerPids => _node.WorkerPids;

    /// <inheritdoc />
    public int WorkerCount => _node.WorkerCores.Count;

    /// <inheritdoc />
    public int MaxTaskCores => _scheduler.MaxTaskCores;

    /// <summary>Where the live dashboard is, when <see cref="LocalClusterOptions.Dashboard"/> asked for one; otherwise null.</summary>
    public Uri? DashboardUrl => _dashboard?.Url;

    internal LocalNode Node => _node;

    /// <inheritdoc />
    public Task<string> KillAsync(long taskId, CancellationToken cancellationToken = default)
    {
        _backend.ThrowIfShutDown();
        return Task.FromResult(_scheduler.Kill(taskId) switch
        {
            KillRequest.KilledQueued => "killed",
            KillRequest.Sent => "sent",
            _ => "not-found",
        });
    }

    /// <inheritdoc />
    /// <remarks>Here every id is pending (queued or running) or unknown: the embedded cluster keeps no report after handing it over.</remarks>
    public Task<TaskResults> GetResultsAsync(IReadOnlyList<long> taskIds, bool anyClient = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        _backend.ThrowIfShutDown();
        var distinct = taskIds.Distinct().ToList();
        var pending = distinct.FindAll(_scheduler.IsLive);
        List<long> unknown = [.. distinct.Except(pending)];
        return Task.FromResult(new TaskResults([], pending, unknown, unknown.Count == 0 ? null : "the embedded cluster keeps no report once it has handed it over"));
    }

    internal ClusterScheduler Scheduler => _scheduler;

    /// <summary>Starts the scheduler, the node and its workers, and returns once the first worker is ready: the first
    /// task need not wait for the slowest worker process start, and the others take work as they say hello (one that does
    /// not start in time is logged).</summary>
    public static async Task<LocalCluster> StartAsync(LocalClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= LocalClusterOptions.Default;
        var scheduler = new ClusterScheduler(new SchedulerOptions { Order = options.Order });
        // Before the node starts, so the profile sees every worker start.
        var profile = options.ProfilePath is { } profilePath ? SchedulerProfile.Start(scheduler, profilePath) : null;
        var node = new LocalNode(
            new NodeOptions
            {
                Workers = options.Workers,
                DestPath = options.DestPath,
                WarmSpare = options.WarmSpare,
                WorkerEnvironment = options.WorkerEnvironment ?? NodeOptions.Default.WorkerEnvironment,
            },
            options.LoggerFactory);
        DashboardServer? dashboard = null;
        try
        {
            var index = scheduler.AddNode(new EmbeddedNodeChannel(node), node.WorkerCores);
            if (options.Dashboard is { } dashboardOptions)
            {
                // Before the workers start, so the page shows them starting.
                dashboard = await DashboardServer.StartAsync(
                    dashboardOptions, new LocalDashboardSource(scheduler, index), options.LoggerFactory ?? NullLoggerFactory.Instance, cancellationToken).ConfigureAwait(false);
            }

            await node.StartAsync(new EmbeddedSchedulerLink(scheduler, index), untilFirstReady: true, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (dashboard is not null)
            {
                await dashboard.DisposeAsync().ConfigureAwait(false);
            }

            await node.DisposeAsync().ConfigureAwait(false);
            if (profile is not null)
            {
                await profile.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        var codeCache = options.CodeCachePath ?? Path.Combine(Path.GetTempPath(), $"funcexec-{Environment.UserName}", "code");
        return new LocalCluster(node, scheduler, new TaskPreparer(node.Components, codeCache), options.MaxFileSize) { _profile = profile, _dashboard = dashboard };
    }

    /// <inheritdoc />
    public Task<Computation> ScheduleAsync(ComputationOptions? options = null, CancellationToken cancellationToken = default) =>
        ComputationOpener.OpenAsync(this, _backend, options, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<NodeInfo>> NodesAsync(CancellationToken cancellationToken = default) => _backend.NodesAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<WorkerInfo>> WorkersAsync(CancellationToken cancellationToken = default) =>
        [.. (await NodesAsync(cancellationToken).ConfigureAwait(false)).SelectMany(n => n.Workers)];

    /// <inheritdoc />
    public IAsyncEnumerable<ClusterEvent> StatusAsync(CancellationToken cancellationToken = default) => EventStream.Open(_backend, 0, cancellationToken);

    /// <inheritdoc />
    /// <exception cref="ResourceRequestException">A task asks for more cores than a node has; nothing ran.</exception>
    public async Task<IReadOnlyList<TaskReport>> RunAsync(
        IReadOnlyList<TaskSpec> tasks,
        Action<int, TaskReport>? onFinished = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        _backend.ThrowIfShutDown();
        var run = new RunObserver(tasks.Count, onFinished);
        var submitted = _preparer.Prepare(tasks, (i, report) => run.Complete(i, report));

        using var tracked = _backend.Track(run);
        if (submitted.Count > 0)
        {
            try
            {
                _scheduler.Submit(submitted, run);
            }
            catch (Exception)
            {
                // Refused: none of the run's reports will come.
                run.Abandon();
                throw;
            }
        }

        return await run.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs tasks as <paramref name="tasks"/> yields them, with at most <paramref name="window"/> of them submitted
    /// and not yet finished, so that a stream of a million tasks (a task file read one task at a time) holds only a
    /// window of them in memory. <paramref name="onFinished"/> hears of each (by position) as it ends, and nothing
    /// keeps its report after that.
    /// </summary>
    /// <remarks>
    /// The first <paramref name="window"/> tasks go to the scheduler in one submission, before any is placed, so
    /// among them the cluster's order (priority) holds exactly as for a list. Later tasks go in batches of up to
    /// 4,096 as room frees up: a task of higher priority among them starts before the lower-priority tasks still
    /// queued or prefetched to workers (those are taken back), though not before those already running. A task the
    /// window keeps out waits for its turn to be submitted, whatever its priority.
    /// </remarks>
    /// <param name="tasks">The tasks, enumerated once, on a thread of the pool.</param>
    /// <param name="window">The most tasks submitted and not finished at once; at least 1.</param>
    /// <param name="onFinished">Hears of each task's report with its position in <paramref name="tasks"/>.</param>
    /// <param name="cancellationToken">Stops submitting and waiting; tasks already submitted go on until the cluster is disposed.</param>
    /// <returns>How many tasks ran.</returns>
    /// <exception cref="ResourceRequestException">A task asks for more cores than a node has; the tasks before it ran.</exception>
    public async Task<int> RunAsync(IEnumerable<TaskSpec> tasks, int window, Action<int, TaskReport> onFinished, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(onFinished);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        _backend.ThrowIfShutDown();
        var run = new StreamedRun(window, onFinished);
        using var tracked = _backend.Track(run);
        var count = 0;
        var produce = Task.Run(
            async () =>
            {
                try
                {
                    count = await SubmitStreamAsync(tasks, window, run, cancellationToken).ConfigureAwait(false);
                    run.EndOfStream();
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // The stream or a submission failed: the run ends with it, and so does the wait below.
                    run.Fail(ex);
                }
            },
            CancellationToken.None);
        await run.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        await produce.ConfigureAwait(false);
        return count;
    }

    private const int StreamBatch = 4096;

    private async Task<int> SubmitStreamAsync(IEnumerable<TaskSpec> tasks, int window, StreamedRun run, CancellationToken cancellationToken)
    {
        var batch = new List<TaskSpec>(Math.Min(window, StreamBatch));
        var submitted = 0;
        void Flush()
        {
            if (batch.Count == 0)
            {
                return;
            }

            for (var i = 0; i < batch.Count; i++)
            {
                run.Expect(submitted + i);
            }

            var ready = _preparer.Prepare(batch, run.Complete, submitted);
            submitted += batch.Count;
            batch.Clear();
            if (ready.Count > 0)
            {
                _scheduler.Submit(ready, run);
            }
        }

        foreach (var task in tasks)
        {
            if (!run.TryTakeRoom())
            {
                // No room until tasks finish, and only submitted ones can.
                Flush();
                await run.TakeRoomAsync(cancellationToken).ConfigureAwait(false);
            }

            batch.Add(task);
            // The first window whole, so priority holds across it as across a list; then smaller batches as room frees up.
            if (batch.Count == (submitted == 0 ? window : Math.Min(window, StreamBatch)))
            {
                Flush();
            }
        }

        Flush();
        return submitted;
    }

    /// <summary>Stops the dashboard, kills every worker process, and closes the profile if one is recorded. Tasks
    /// not finished by then fail with an <see cref="ObjectDisposedException"/>, and so does every call after.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_dashboard is not null)
        {
            await _dashboard.DisposeAsync().ConfigureAwait(false);
        }

        await _node.DisposeAsync().ConfigureAwait(false);
        _backend.ShutDown();

        if (_profile is not null)
        {
            await _profile.DisposeAsync().ConfigureAwait(false);
        }
    }
}
