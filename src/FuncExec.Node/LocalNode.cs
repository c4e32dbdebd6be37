using System.Diagnostics.Metrics;
using System.Net.Sockets;
using FuncExec.Core.Platform;
using FuncExec.Core.Telemetry;
using FuncExec.Core.Text;
using FuncExec.Node.Components;
using FuncExec.Node.Workers;
using FuncExec.Protocol;
using FuncExec.Protocol.Framing;
using FuncExec.Protocol.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FuncExec.Node;

using ComputationClosed = FuncExec.Protocol.V1.ComputationClosed;

/// <summary>
/// The node agent: starts one worker process per core it offers, each pinned to its core,
/// talks to them over a Unix socket, and replaces any that dies.
/// </summary>
internal sealed class LocalNode : IAsyncDisposable, INodeGauges
{
    private readonly ILogger _logger;
    private readonly Socket _listener;
    private readonly string _socketDirectory;
    private readonly WorkerHandle[] _workers;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _allReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _firstReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly TimeSpan SpareRestartDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan FirstSpareDelay = TimeSpan.FromMilliseconds(500);

    private readonly Lock _spareLock = new();
    // What the tasks of open computations load, for the warm spare to load ahead of need.
    private readonly SparePreparation _preparation = new();
    private SpareWorker? _spareStarting;
    private SpareWorker? _spareReady;
    private ISchedulerLink? _link;
    private Task? _acceptLoop;
    private int _readyCount;

    /// <summary>Prepares a node (no processes yet): its cores, its socket and its component store.</summary>
    public LocalNode(NodeOptions? options = null, ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
    {
        Options = options ?? NodeOptions.Default;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("FuncExec.Node");
        Time = time ?? TimeProvider.System;
        Components = new ComponentStore(Options.DestPath is { } dest ? Path.Combine(dest, "components") : ComponentStore.DefaultRoot, _logger, Options.MaxStoreSize);
        var available = CpuAffinity.AvailableCores();
        var count = WorkerCount.Resolve(Options.Workers, available.Count);
        if (WorkerCount.KeepsBackAll(Options.Workers, available.Count))
        {
            NodeLog.KeepsBackAll(_logger, Options.Name, Plural.Of(-(long)Options.Workers, "core"), Plural.Of(available.Count, "core"));
        }

        var cores = new int[count];
        for (var i = 0; i < count; i++)
        {
            cores[i] = available[i % available.Count];
        }

        WorkerCores = cores;
        if (count > available.Count)
        {
            NodeLog.Oversubscribed(_logger, Options.Name, Plural.Of(count, "worker"), Plural.Of(available.Count, "core"));
        }

        _workers = new WorkerHandle[count];
        for (var i = 0; i < count; i++)
        {
            _workers[i] = new WorkerHandle(this, i, cores[i], _logger);
        }

        _socketDirectory = Path.Combine(Path.GetTempPath(), $"funcexec-{Environment.UserName}", $"node-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(_socketDirectory);
        SocketPath = Path.Combine(_socketDirectory, "workers.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(128);
    }

    /// <summary>The options it runs with.</summary>
    public NodeOptions Options { get; }

    /// <inheritdoc />
    public string NodeName => Options.Name;

    /// <summary>Worker i is pinned to <c>WorkerCores[i]</c>.</summary>
    public IReadOnlyList<int> WorkerCores { get; }

    /// <summary>The component store workers load from.</summary>
    public ComponentStore Components { get; }

    /// <summary>The process ids of the current workers (0 for one being replaced), by worker id.</summary>
    public IReadOnlyList<int> WorkerPids => [.. _workers.Select(w => w.Pid)];

    internal string SocketPath { get; }

    internal TimeProvider Time { get; }

    internal ISchedulerLink Link => _link ?? throw new InvalidOperationException("the node is not started");

    internal bool IsStopping => _stopping.IsCancellationRequested;

    /// <summary>Starts the workers, reporting to <paramref name="link"/>, and waits until all said hello.</summary>
    public Task StartAsync(ISchedulerLink link, CancellationToken cancellationToken = default) => StartAsync(link, untilFirstReady: false, cancellationToken);

    /// <summary>
    /// Starts the workers, reporting to <paramref name="link"/>, and waits until all said hello, or with
    /// <paramref name="untilFirstReady"/> until the first did: the scheduler places work on each worker as it says
    /// hello, so the first task need not wait for the slowest process start (the others join as they come, and
    /// one that does not start within <see cref="NodeOptions.WorkerStartTimeout"/> is logged).
    /// </summary>
    public async Task StartAsync(ISchedulerLink link, bool untilFirstReady, CancellationToken cancellationToken = default)
    {
        _link = link ?? throw new ArgumentNullException(nameof(link));
        FuncExecMetrics.ObserveNode(this);
        NodeLog.Starting(_logger, Options.Name, Plural.Of(_workers.Length, "worker"), CoreList.Format(WorkerCores));
        _acceptLoop = Task.Run(AcceptLoopAsync, CancellationToken.None);
        foreach (var worker in _workers)
        {
            worker.Spawn();
        }

        // Counted while the workers start, not before: the store may hold many components of earlier runs.
        Components.IndexInBackground();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.WorkerStartTimeout);
        try
        {
            await (untilFirstReady ? _firstReady.Task : _allReady.Task).WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(StartFailure());
        }

        if (!untilFirstReady)
        {
            // The spare starts a moment after the workers: a process start is CPU-heavy, and right now the cores
            // are needed by the first tasks (a short `funcexec run` is over before the spare would be of use).
            StartSpareLater(FirstSpareDelay);
            return;
        }

        _ = _allReady.Task.WaitAsync(Options.WorkerStartTimeout, _stopping.Token).ContinueWith(
            all =>
            {
                if (all.IsCompletedSuccessfully)
                {
                    StartSpareLater(FirstSpareDelay);
                }
                else if (all.Exception?.InnerException is TimeoutException)
                {
                    NodeLog.SpawnFailed(_logger, -1, StartFailure());
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }

    /// <summary>Why not every worker said hello in time: how many did, and what the first that did not said.</summary>
    private string StartFailure()
    {
        // A library user has no --debug: name the logger too, and say what the worker said
        // when it died, which is usually all it takes.
        var failure = _workers.Select(w => w.DescribeStartFailure()).FirstOrDefault(d => d is not null);
        return $"only {Volatile.Read(ref _readyCount)} of {Plural.Of(_workers.Length, "worker")} started within {Durations.Format(Options.WorkerStartTimeout)}"
            + (failure is null ? string.Empty : $"; {failure}")
            + "; the workers' output is logged (category FuncExec.Node): give the cluster a logger "
            + "(LocalClusterOptions.LoggerFactory from C#, --debug on the funcexec command) to see all of it";
    }

    /// <summary>The process id of the connected warm spare, or 0.</summary>
    internal int SparePid
    {
        get
        {
            lock (_spareLock)
            {
                return _spareReady?.Pid ?? 0;
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>The spare counts from its hello on, the moment <see cref="TryTakeSpare"/> would hand it over.</remarks>
    public void ObserveSpares(List<Measurement<int>> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        bool ready;
        lock (_spareLock)
        {
            ready = _spareReady is { IsConnected: true };
        }

        into.Add(new Measurement<int>(ready ? 1 : 0, new KeyValuePair<string, object?>(FuncExecMetrics.NodeKey, Options.Name)));
    }

    /// <summary>Takes the warm spare, if one is connected, and starts the next one.</summary>
    internal SpareWorker? TryTakeSpare()
    {
        SpareWorker? spare;
        lock (_spareLock)
        {
            spare = _spareReady;
            _spareReady = null;
        }

        if (spare is not null && !spare.IsConnected)
        {
            spare.Kill();
            spare = null;
        }

        // The next spare starts a moment later: a process start is CPU-heavy, and right now the
        // cores are needed by the worker taking over and the task it is handed.
        StartSpareLater(SpareRestartDelay);
        return spare;
    }

    private void StartSpareLater(TimeSpan delay) =>
        _ = Task.Delay(delay).ContinueWith(_ => StartSpare(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

    private void StartSpare()
    {
        if (!Options.WarmSpare || IsStopping)
        {
            return;
        }

        lock (_spareLock)
        {
            if (_spareStarting is not null || _spareReady is not null)
            {
                return;
            }

            SpareWorker? spare = null;
            try
            {
                // Pinned to all the node's cores until it takes a worker's place.
                var process = WorkerLauncher.StartRelayed(
                    -1,
                    [.. WorkerCores.Distinct()],
                    SocketPath,
                    Components.Root,
                    Options,
                    line => spare?.OnStdout(line),
                    line => spare?.OnStderr(line));
                spare = new SpareWorker(process);
                _spareStarting = spare;
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                NodeLog.SpawnFailed(_logger, -1, ex.Message);
            }
        }
    }

    /// <inheritdoc />
    public void Assign(int workerId, IReadOnlyList<TaskAssignment> tasks)
    {
        Named(workerId).Assign(tasks);
        if (Options.WarmSpare)
        {
            foreach (var task in tasks)
            {
                if (_preparation.Observe(task) is { } prepare)
                {
                    SendToSpare(new WorkerEnvelope { PrepareComputation = prepare });
                }
            }
        }
    }

    /// <summary>Sends a frame to the connected warm spare, if there is one; lost with a spare that dies.</summary>
    private void SendToSpare(WorkerEnvelope envelope)
    {
        lock (_spareLock)
        {
            SendToSpareLocked(envelope);
        }
    }

    private void SendToSpareLocked(WorkerEnvelope envelope)
    {
        if (_spareReady?.Socket is not { } socket)
        {
            return;
        }

        var frame = new System.Buffers.ArrayBufferWriter<byte>(256);
        FrameCodec.Write(frame, envelope);
        try
        {
            socket.Send(frame.WrittenSpan);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The spare is dying; TryTakeSpare finds it unconnected and starts another.
        }
    }

    /// <inheritdoc />
    public void Kill(int workerId, long taskId, int attempt) => Named(workerId).Kill(taskId, attempt);

    /// <inheritdoc />
    public void Revoke(int workerId, long taskId, int attempt) => Named(workerId).Revoke(taskId, attempt);

    /// <inheritdoc />
    public void Cancel(int workerId, long taskId, int attempt, TimeSpan grace) => Named(workerId).Cancel(taskId, attempt, grace);

    /// <inheritdoc />
    public void Deliver(int workerId, TaskMessage message) => Named(workerId).Send(new WorkerEnvelope { Message = message });

    /// <inheritdoc />
    public void Acknowledge(int workerId, MessageAck ack) => Named(workerId).Send(new WorkerEnvelope { MessageAck = ack });

    /// <inheritdoc />
    public void Computation(NodeComputation computation)
    {
        ArgumentNullException.ThrowIfNull(computation);
        var folder = ComputationFolder(computation.Computation);
        if (computation.Closed)
        {
            var closed = new WorkerEnvelope { ComputationClosed = new ComputationClosed { Computation = computation.Computation } };
            foreach (var worker in _workers)
            {
                worker.Send(closed);
            }

            _preparation.Forget(computation.Computation);
            SendToSpare(closed);

            // Workers may still read its files while they finish; deleting unlinks names, not open files.
            ComponentStore.DeleteFolder(folder);
            if (_pinned.TryRemove(computation.Computation, out var used))
            {
                Array.ForEach(used, Components.Unpin);
            }

            return;
        }

        // Kept from eviction while the computation is open: its workers load from the store.
        ComponentRef[] pins = [.. computation.Components.Where(c => Protocol.Components.ComponentIds.Problem(c) is null)];
        if (_pinned.TryAdd(computation.Computation, pins))
        {
            Array.ForEach(pins, Components.Pin);
        }

        foreach (var missing in Components.Materialize(computation.Components, folder))
        {
            NodeLog.ComponentMissing(_logger, NodeName, missing.FileName, computation.Computation);
        }
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, ComponentRef[]> _pinned = new();

    /// <summary>Where a computation's files are put, and the working directory of its tasks.</summary>
    public string ComputationFolder(long computation) =>
        Path.Combine(Path.GetDirectoryName(Components.Root)!, "computations", computation.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Whether <see cref="Drain"/> was called: the node takes no more work.</summary>
    internal bool IsDraining => Volatile.Read(ref _draining);

    /// <summary>Whether no worker holds a task.</summary>
    public bool IsIdle => !_workers.Any(w => w.HasWork);

    /// <summary>How many tasks the workers hold, running or queued behind.</summary>
    public int TasksInHand => _workers.Sum(w => w.InHand);

    /// <summary>Stops taking work (the node is stopping): the scheduler is told first, so it places nothing more here;
    /// then every worker hands back the tasks it has not started and finishes the one it runs. See
    /// <see cref="WorkerHandle.Drain"/>. Called again, it does nothing.</summary>
    public void Drain()
    {
        if (Interlocked.Exchange(ref _draining, true))
        {
            return;
        }

        Link.NodeDraining();
        foreach (var worker in _workers)
        {
            worker.Drain();
        }
    }

    private bool _draining;

    /// <summary>Kills every worker that holds tasks; each is reported lost and replaced (after losing the scheduler).</summary>
    public void RestartBusyWorkers()
    {
        foreach (var worker in _workers)
        {
            if (worker.HasWork)
            {
                KillWorker(worker.Id);
            }
        }
    }

    /// <summary>How long a stopping node waits for its tracing workers to send their last spans and exit.</summary>
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(3);

    private static readonly string[] TraceEndpointVariables = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"];

    /// <summary>Whether the workers export traces: an OTLP endpoint in the environment they get (this process's, with
    /// <see cref="NodeOptions.WorkerEnvironment"/> on top), which is what a worker checks.</summary>
    private bool WorkersExportTraces() =>
        TraceEndpointVariables.Any(name =>
            !string.IsNullOrEmpty(Options.WorkerEnvironment.TryGetValue(name, out var value) ? value : Environment.GetEnvironmentVariable(name)));

    /// <summary>The worker the scheduler named: an id it got from this node's registration, so any other is refused by name.</summary>
    private WorkerHandle Named(int workerId) =>
        (uint)workerId < (uint)_workers.Length
            ? _workers[workerId]
            : throw new InvalidDataException($"the scheduler named worker {workerId}; this node has workers 0 to {_workers.Length - 1}");

    /// <summary>Kills worker <paramref name="workerId"/>'s process; it is reported lost and replaced.</summary>
    public void KillWorker(int workerId) => _workers[workerId].KillProcess();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        FuncExecMetrics.StopObserving(this);
        _listener.Dispose();
        // Workers that export traces hold their last spans in a batch: asked to exit, they send it; killed, they would
        // not (a short `funcexec run` lost every task's execute span so). One shared bound for all, then the kill.
        var grace = WorkersExportTraces() ? ShutdownGrace : TimeSpan.Zero;
        if (grace > TimeSpan.Zero)
        {
            foreach (var worker in _workers)
            {
                worker.RequestShutdown();
            }
        }

        var asked = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var worker in _workers)
        {
            var left = grace - System.Diagnostics.Stopwatch.GetElapsedTime(asked);
            worker.Stop(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }

        lock (_spareLock)
        {
            _spareStarting?.Kill();
            _spareReady?.Kill();
            _spareStarting = _spareReady = null;
        }

        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        try
        {
            Directory.Delete(_socketDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean from /tmp.
        }

        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => Welcome(socket));
        }
    }

    /// <summary>Reads a worker's hello and hands the socket to its handle.</summary>
    private void Welcome(Socket socket)
    {
        var stream = new BufferedStream(new NetworkStream(socket, ownsSocket: true), 64 * 1024);
        try
        {
            var buffer = new byte[1024];
            var hello = FrameCodec.Read(stream, WorkerEnvelope.Parser, ref buffer, maxFrameSize: 1024)?.Hello;
            if (hello?.WorkerId == -1)
            {
                lock (_spareLock)
                {
                    if (_spareStarting is { } spare && spare.Process.Id == hello.Pid)
                    {
                        spare.Connected(socket, stream, hello.Pid);
                        _spareReady = spare;
                        _spareStarting = null;
                        NodeLog.SpareReady(_logger, Options.Name, hello.Pid);
                        // What the open computations' tasks load, so it is loaded here before this spare takes over.
                        foreach (var prepare in _preparation.All())
                        {
                            SendToSpareLocked(new WorkerEnvelope { PrepareComputation = prepare });
                        }

                        return;
                    }
                }

                NodeLog.BadConnection(_logger, $"a spare worker (pid {hello.Pid}) this node did not start");
                stream.Dispose();
                return;
            }

            if (hello is null || hello.WorkerId < 0 || hello.WorkerId >= _workers.Length)
            {
                NodeLog.BadConnection(_logger, "the first frame was not a worker hello");
                stream.Dispose();
                return;
            }

            if (hello.ProtocolVersion != ProtocolVersion.Current)
            {
                NodeLog.BadConnection(_logger, $"worker speaks protocol {hello.ProtocolVersion}, node speaks {ProtocolVersion.Current}");
                stream.Dispose();
                return;
            }

            _workers[hello.WorkerId].Attach(socket, stream, hello.Pid);
            _firstReady.TrySetResult();
            if (Interlocked.Increment(ref _readyCount) == _workers.Length)
            {
                _allReady.TrySetResult();
            }
        }
        catch (IOException ex)
        {
            NodeLog.BadConnection(_logger, ex.Message);
            stream.Dispose();
        }
    }
}
