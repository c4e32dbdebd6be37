using FuncExec.Core.Text;
using FuncExec.Protocol.Connections;
using FuncExec.Slurm.Pilots;
using FuncExec.Slurm.Scaling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FuncExec;

/// <summary>
/// FuncExec nodes as Slurm pilot jobs, owned by this object: each job asks for one host (or
/// <see cref="SlurmClusterOptions.CpusPerNode"/> cores of one) and runs a <c>funcexec node</c> there that joins the
/// scheduler. <see cref="ScaleAsync"/> asks for a number of nodes; <see cref="AdaptAsync"/> keeps the number following
/// the work queued, as dask-jobqueue's <c>adapt</c> does; disposing drains and ends every job it submitted.
/// </summary>
/// <remarks>
/// <para>Run it where Slurm's client commands work (a login host): it calls <c>sbatch</c>, <c>squeue</c>,
/// <c>scancel</c> and <c>scontrol</c>. It talks to the scheduler as a client, reading the queue and the nodes
/// (<c>funcexec status</c>'s view), and tells it every scaling decision with its reason: <c>funcexec status</c>
/// shows them (<c>scaling HH:MM:SS (client): text</c>), the dashboard shows them as Scaling events, and the
/// scheduler and this object's logger log them.</para>
/// <para>Each job drains before its time limit (<see cref="SlurmClusterOptions.DrainMargin"/>): its node takes no
/// more work and leaves; tasks still running then go back to the queue without an attempt charged, and
/// adaptation submits a new job if the work still wants one.</para>
/// </remarks>
public sealed partial class SlurmCluster : IAsyncDisposable
{
    private readonly SlurmClusterOptions _options;
    private readonly IPilotLauncher _launcher;
    private readonly RemoteCluster _scheduler;
    private readonly PilotRequest _request;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    // One round at a time: the jobs below, and what is sent to Slurm, change only under it.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, OwnedPilot> _jobs = new(StringComparer.Ordinal);
    private readonly List<(long At, PilotJobException Error)> _failures = [];
    private readonly Lock _adaptLock = new();
    private CancellationTokenSource? _adaptStop;
    private Task _adaptLoop = Task.CompletedTask;
    private int _failuresInARow;
    private int _lastTarget;
    private long _holdSubmitsUntil;
    private string _lastProblem = "";
    private int _disposed;

    private SlurmCluster(SlurmClusterOptions options, IPilotLauncher launcher, RemoteCluster scheduler, PilotRequest request, ILogger logger, TimeProvider time)
    {
        _options = options;
        _launcher = launcher;
        _scheduler = scheduler;
        _request = request;
        _logger = logger;
        _time = time;
    }

    /// <summary><c>host:port</c> of the scheduler the nodes join.</summary>
    public string Scheduler => _request.Scheduler;

    /// <summary>
    /// Checks that Slurm's commands are here and connects to the scheduler; submits nothing yet.
    /// </summary>
    /// <exception cref="PilotLauncherMissingException"><c>sbatch</c>, <c>squeue</c>, <c>scancel</c> or <c>scontrol</c> is not on the PATH.</exception>
    /// <exception cref="ArgumentException">An option is out of range, or there is no secret for the nodes.</exception>
    /// <exception cref="SchedulerUnreachableException">The scheduler does not answer.</exception>
    /// <exception cref="ProtocolException">The scheduler refused the connection: secret, TLS or version.</exception>
    public static async Task<SlurmCluster> StartAsync(SlurmClusterOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var address = SchedulerAddress.Parse(options.Scheduler).ToString();
        if (options.CpusPerNode is < 1)
        {
            throw new ArgumentException($"CpusPerNode {options.CpusPerNode}: give 1 or more cores, or null for whole hosts", nameof(options));
        }

        if (options.DrainMargin < TimeSpan.Zero || options.DrainMargin.TotalSeconds > 65535)
        {
            throw new ArgumentException($"DrainMargin {options.DrainMargin}: from 0 to 18 h", nameof(options));
        }

        if (options.Interval <= TimeSpan.Zero || options.IdlePeriod < TimeSpan.Zero)
        {
            throw new ArgumentException("Interval must be positive and IdlePeriod not negative", nameof(options));
        }

        if (options.Funcexec.Count == 0)
        {
            throw new ArgumentException("Funcexec: give the words that start funcexec on a compute host", nameof(options));
        }

        foreach (var program in new[] { "sbatch", "squeue", "scancel", "scontrol" })
        {
            if (SlurmTools.FindOnPath(program) is null)
            {
                throw SlurmTools.Missing(program, null);
            }
        }

        var security = options.Connection.Security;
        if (string.IsNullOrEmpty(security.Secret))
        {
            security = security with { Secret = Environment.GetEnvironmentVariable("FUNCEXEC_SECRET") };
        }

        if (string.IsNullOrEmpty(security.Secret))
        {
            throw new ArgumentException("The nodes need the scheduler's secret: set Connection.Security or FUNCEXEC_SECRET", nameof(options));
        }

        var logger = options.Connection.LoggerFactory?.CreateLogger("FuncExec.Slurm") ?? NullLogger.Instance;
        var request = new PilotRequest
        {
            Scheduler = address,
            Nodes = 1,
            CpusPerNode = options.CpusPerNode,
            Partition = options.Partition,
            Time = options.Time,
            Account = options.Account,
            ExtraSubmitArgs = [.. options.SbatchArgs],
            NodeArgs = [.. options.NodeArgs],
            DrainMargin = options.DrainMargin,
            Secret = security.Secret,
            CertFile = security.CertFile,
            KeyFile = security.KeyFile,
            LogDirectory = Path.GetFullPath(options.LogDirectory ?? Path.Combine(SchedulerStateFolder.DefaultHome, "slurm")),
            Funcexec = [.. options.Funcexec],
        };
        var scheduler = await RemoteCluster.ConnectAsync(address, options.Connection with { Security = security }, cancellationToken).ConfigureAwait(false);
        return new SlurmCluster(options, new SlurmLauncher(logger), scheduler, request, logger, TimeProvider.System);
    }

    /// <summary>
    /// Asks for <paramref name="nodes"/> nodes: submits one-node pilot jobs up to that many, or removes jobs down to it
    /// (queued ones first, then ones whose node has not joined, then running nodes, which drain: idle ones first,
    /// busy ones finish their running tasks). Stops adaptation. Returns once Slurm has the requests; see
    /// <see cref="WaitForNodesAsync"/> to wait for the nodes.
    /// </summary>
    /// <exception cref="PilotRefusedException">Slurm refused a job (its message), or did not answer.</exception>
    public async Task ScaleAsync(int nodes, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nodes);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await StopAdaptingAsync().ConfigureAwait(false);
        await RoundAsync(_ => nodes, idlePeriod: null, "asked for", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts adapting the nodes to the work, in the background, every <see cref="SlurmClusterOptions.Interval"/>:
    /// the target is <c>clamp(ceil((busy cores + queued cores) / cores per node), minimum, maximum)</c>; below it jobs
    /// are submitted, above it queued jobs are cancelled and nodes idle for <see cref="SlurmClusterOptions.IdlePeriod"/>
    /// drained. Replaces an earlier adaptation. The first round runs before this returns, so what it meets (Slurm
    /// refusing the job) is thrown here; later problems are logged and reported to the scheduler, and retried.
    /// </summary>
    /// <param name="minimum">Fewest nodes, whatever the work (0: none while there is nothing to do).</param>
    /// <param name="maximum">Most nodes, whatever the work.</param>
    /// <param name="cancellationToken">Cancels the first round only; <see cref="ScaleAsync"/> or disposing stops adapting.</param>
    /// <exception cref="PilotRefusedException">Slurm refused a job (its message), or did not answer.</exception>
    public async Task AdaptAsync(int minimum, int maximum, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimum);
        ArgumentOutOfRangeException.ThrowIfLessThan(maximum, minimum);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await StopAdaptingAsync().ConfigureAwait(false);
        var policy = AdaptTarget(minimum, maximum);
        await RoundAsync(policy, _options.IdlePeriod, $"adapting (min {minimum}, max {maximum})", cancellationToken).ConfigureAwait(false);
        var stop = new CancellationTokenSource();
        lock (_adaptLock)
        {
            _adaptStop = stop;
            _adaptLoop = Task.Run(() => AdaptLoopAsync(policy, minimum, maximum, stop.Token), CancellationToken.None);
        }
    }

    /// <summary>
    /// Waits until <paramref name="count"/> nodes of this cluster's jobs have joined the scheduler.
    /// </summary>
    /// <exception cref="PilotJobException">A job ended before its node joined (its state and log are named), or
    /// after <paramref name="timeout"/> a job is still queued (with squeue's reason) or its node has not joined
    /// (with its log), or there are fewer jobs than <paramref name="count"/>.</exception>
    public async Task WaitForNodesAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var start = _time.GetTimestamp();
        while (true)
        {
            IReadOnlyList<SlurmPilotJob> jobs;
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await ObserveAsync(cancellationToken).ConfigureAwait(false);
                jobs = Snapshot();
                if (_failures.FirstOrDefault(f => f.At >= start) is { Error: { } failure })
                {
                    throw failure;
                }
            }
            finally
            {
                _gate.Release();
            }

            if (jobs.Count(j => j.Joined) >= count)
            {
                return;
            }

            var elapsed = _time.GetElapsedTime(start);
            if (elapsed >= timeout)
            {
                var waiting = $"{Durations.Format(elapsed)} waiting for {count} node{(count == 1 ? "" : "s")}";
                if (jobs.FirstOrDefault(j => j.State is "PENDING" or "CONFIGURING" or "REQUEUED") is { } pending)
                {
                    throw new PilotJobException(pending.Id, $"job {pending.Id} is still pending after {waiting}: "
                        + $"{(pending.Reason.Length > 0 ? pending.Reason : pending.State)} (squeue's reason)");
                }

                if (jobs.FirstOrDefault(j => !j.Joined && !j.Draining && j.Host is not null) is { } silent)
                {
                    throw new PilotJobException(silent.Id, $"job {silent.Id} runs on {silent.Host}, but its node did not join the scheduler at "
                        + $"{Scheduler} after {waiting}: can the compute hosts reach it? See its log {PilotNaming.NodeLog(_request.LogDirectory, silent.Id, silent.Host!)}");
                }

                throw new PilotJobException("", $"only {jobs.Count(j => !j.Draining)} pilot job(s) after {waiting}: ScaleAsync or AdaptAsync asks for more");
            }

            await Task.Delay(PilotWaiter.PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>This cluster's pilot jobs (those it submitted and that have not ended), oldest first, as Slurm and the scheduler see them now.</summary>
    /// <exception cref="PilotRefusedException">squeue failed.</exception>
    public async Task<IReadOnlyList<SlurmPilotJob>> GetJobsAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ObserveAsync(cancellationToken).ConfigureAwait(false);
            return Snapshot();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Stops adapting, then stops every job this cluster submitted the way that keeps their work: queued ones are
    /// cancelled, running ones drain (their nodes let running tasks finish and leave) and are cancelled if still
    /// running after <see cref="SlurmClusterOptions.DrainMargin"/>; then closes the connection to the scheduler.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAdaptingAsync().ConfigureAwait(false);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var ids = _jobs.Values.Where(j => !j.Cancelled).Select(j => j.Id).ToList();
            if (ids.Count > 0)
            {
                var report = new List<string>();
                try
                {
                    await new PilotStopper(_launcher, _time).StopAsync(ids, _options.DrainMargin, report.Add).ConfigureAwait(false);
                }
                catch (FuncExecException ex)
                {
                    report.Add(ex.Message);
                }

                var text = string.Join("; ", report);
                SlurmClusterLog.Stopping(_logger, text);
                Note($"stopped: {text}", 0);
                _jobs.Clear();
            }
        }
        finally
        {
            _gate.Release();
            await _scheduler.DisposeAsync().ConfigureAwait(false);
            _gate.Dispose();
        }
    }

    private async Task StopAdaptingAsync()
    {
        CancellationTokenSource? stop;
        Task loop;
        lock (_adaptLock)
        {
            (stop, _adaptStop) = (_adaptStop, null);
            loop = _adaptLoop;
        }

        if (stop is null)
        {
            return;
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await loop.ConfigureAwait(false);
        stop.Dispose();
    }

    private async Task AdaptLoopAsync(Func<Weights, int> policy, int minimum, int maximum, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await Task.Delay(_options.Interval, _time, cancellationToken).ConfigureAwait(false);
                await RoundAsync(policy, _options.IdlePeriod, $"adapting (min {minimum}, max {maximum})", cancellationToken).ConfigureAwait(false);
                _lastProblem = "";
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The loop's boundary: Slurm or the scheduler failed this round (PilotRefusedException,
                // SchedulerUnreachableException, an unwritable log folder), or something unforeseen did. The next round
                // tries again, since a loop that ended here would leave its jobs to nobody. Said once until it changes.
                SlurmClusterLog.RoundFailed(_logger, ex.Message, ex);
                if (ex.Message != _lastProblem)
                {
                    _lastProblem = ex.Message;
                    Note($"{ex.Message}; trying again every {Durations.Format(_options.Interval)}", _lastTarget);
                }
            }
        }
    }
}
