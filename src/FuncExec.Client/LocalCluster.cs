using FuncExec.Client.Internal;
using FuncExec.Dashboard;
using FuncExec.Core.Events;
using FuncExec.Core.Tasks;
using FuncExec.Node;
using FuncExec.Scheduler;
using Microsoft.Extensions.Logging.Abstractions;

namespace FuncExec.Client;

/// <summary>
/// The embedded cluster: a scheduler and a node inside this process, with real worker
/// processes, one pinned to each core, so a crashing or killed task never takes this
/// process down.
/// </summary>
/// <example>
/// <code>
/// await using var cluster = await LocalCluster.StartAsync();
/// var reports = await cluster.RunAsync(tasks);
/// </code>
/// </example>
public sealed class LocalCluster : ICluster
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


    internal ClusterScheduler Scheduler => _scheduler;

    /// <summary>Starts the scheduler, the node and its workers, and waits until every worker is ready.</summary>
    public static async Task<LocalCluster> StartAsync(LocalClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= LocalClusterOptions.Default;
        var scheduler = new ClusterScheduler(new SchedulerOptions { Order = options.Order });
        // Before the node starts, so the profile sees every worker start.
        var profile = options.ProfilePath is { } profilePath ? SchedulerProfile.Start(scheduler, profilePath) : null;
        var node = new LocalNode(
            new NodeOptions { Workers = options.Workers, DestPath = options.DestPath, WarmSpare = options.WarmSpare },
            options.LoggerFactory);
        DashboardServer? dashboard = null;
        try
        {
            var index = scheduler.AddNode(node, node.WorkerCores);
            if (options.Dashboard is { } dashboardOptions)
            {
                // Before the workers start, so the page shows them starting.
                dashboard = await DashboardServer.StartAsync(
                    dashboardOptions, new LocalDashboardSource(scheduler, index), options.LoggerFactory ?? NullLoggerFactory.Instance, cancellationToken).ConfigureAwait(false);
            }

            await node.StartAsync(new EmbeddedSchedulerLink(scheduler, index), cancellationToken).ConfigureAwait(false);
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
    /// <exception cref="Core.Errors.ResourceRequestException">A task asks for more cores than a node has; nothing ran.</exception>
    public async Task<IReadOnlyList<TaskReport>> RunAsync(
        IReadOnlyList<TaskSpec> tasks,
        Action<int, TaskReport>? onFinished = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        _backend.ThrowIfShutDown();
        var run = new RunObserver(tasks.Count, onFinished);
        var submitted = new List<SubmittedTask>(tasks.Count);
        var preparedTasks = _preparer.Prepare(tasks);
        for (var i = 0; i < tasks.Count; i++)
        {
            var prepared = preparedTasks[i];
            if (prepared.Refused is { } refused)
            {
                run.Complete(i, refused);
            }
            else
            {
                submitted.Add(prepared.Task!);
            }
        }

        using var tracked = _backend.Track(run);
        if (submitted.Count > 0)
        {
            _scheduler.Submit(submitted, run);
        }

        return await run.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
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
