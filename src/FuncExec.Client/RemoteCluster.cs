using System.Collections.Concurrent;
using FuncExec.Client.Internal;
using FuncExec.Core.Errors;
using FuncExec.Core.Events;
using FuncExec.Core.Tasks;
using FuncExec.Node.Components;
using FuncExec.Node.Remote;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;

namespace FuncExec.Client;

/// <summary>
/// A cluster reached through its scheduler (<c>funcexec scheduler</c>) over TCP. Several
/// clients may share one scheduler; each gets exactly its own results.
/// </summary>
public sealed partial class RemoteCluster : ICluster, IClusterBackend
{
    private readonly FrameConnection _connection;
    private readonly TaskPreparer _preparer;
    private readonly ComponentStore _components;
    private readonly HashSet<string> _uploaded = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, PendingRun> _runs = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<StatusReply>> _statusWaiters = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<string>> _killWaiters = new();
    private readonly Lock _sendLock = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<long>> _openWaiters = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _closeWaiters = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<long[]>> _submitWaiters = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _messageWaiters = new();
    private readonly ConcurrentDictionary<long, RemoteTask> _handlesByTag = new();
    private readonly TaskHandles _handles = new();
    private readonly ConcurrentDictionary<long, TimeSpan> _pulseIntervals = new();
    private readonly CancellationTokenSource _stopping = new();
    private TimeSpan _schedulerPulse = TimeSpan.FromSeconds(2);
    private long _lastHeard = TimeProvider.System.GetTimestamp();
    private readonly Lock _subscribersLock = new();
    private List<(long Computation, Action<IReadOnlyList<ClusterEvent>> OnEvents, Action<Exception?> OnEnded)> _subscribers = [];
    private Exception? _lost;
    private bool _subscribed;
    private long _nextRun;
    private long _nextTag;
    private StatusReply _lastStatus = new();

    // Computation tasks' tags have this bit set; RunAsync's tags (run << 32 | position) never do.
    private const long HandleTagBit = 1L << 62;

    // A component travels in one frame, under the 64 MiB frame cap with room to spare.
    private const long MaxComponentBytes = 48L * 1024 * 1024;

    private RemoteCluster(SchedulerAddress address, FrameConnection connection, RemoteClusterOptions options)
    {
        Address = address;
        _connection = connection;
        _components = new ComponentStore(
            Path.Combine(Path.GetTempPath(), $"funcexec-{Environment.UserName}", "client-components"), options.LoggerFactory?.CreateLogger("FuncExec.Client"));
        _preparer = new TaskPreparer(_components, options.CodeCachePath ?? Path.Combine(Path.GetTempPath(), $"funcexec-{Environment.UserName}", "code"));
    }

    /// <summary>The scheduler's address.</summary>
    public SchedulerAddress Address { get; }

    /// <inheritdoc />
    public int WorkerCount => _lastStatus.Nodes.Sum(n => n.Workers.Count);

    /// <inheritdoc />
    public int MaxTaskCores => _lastStatus.Nodes.Count == 0 ? int.MaxValue : _lastStatus.Nodes.Max(n => n.Workers.Count);

    /// <summary>Connects to the scheduler at <paramref name="address"/> (<c>host:port</c>).</summary>
    /// <exception cref="SchedulerUnreachableException">Nothing answered there in time.</exception>
    /// <exception cref="ProtocolException">The scheduler refused us: secret, TLS or version.</exception>
    public static async Task<RemoteCluster> ConnectAsync(string address, RemoteClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= RemoteClusterOptions.Default;
        var parsed = SchedulerAddress.Parse(address);
        var (connection, welcome) = await SchedulerDialer.ConnectAsync(
            parsed, PeerRole.Client, options.Name, options.Security, options.ConnectTimeout, NullLogger.Instance, cancellationToken: cancellationToken).ConfigureAwait(false);
        var cluster = new RemoteCluster(parsed, connection, options);
        if (welcome.Welcome.PulseIntervalMs > 0)
        {
            cluster._schedulerPulse = TimeSpan.FromMilliseconds(welcome.Welcome.PulseIntervalMs);
        }

        connection.Start(cluster.OnFrameAsync);
        // A scheduler silent for 5 pulse intervals is lost: the connection closes and every waiting task fails.
        _ = PulseLoop.RunAsync(
            connection,
            cluster.CurrentPulseInterval,
            TimeProvider.System,
            () => TimeProvider.System.GetElapsedTime(Volatile.Read(ref cluster._lastHeard)),
            () => new Pulse { SentUnixUs = Core.Tasks.UnixTime.NowMicroseconds() },
            "the scheduler",
            cluster._stopping.Token);
        _ = connection.Completion.ContinueWith(t => cluster.FailAll(t.Result.Message), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        await cluster.QueryStatusAsync(cancellationToken).ConfigureAwait(false);
        return cluster;
    }

    /// <summary>The scheduler's view: nodes with pulse ages, workers with core, state, current task and CPU, queued and running tasks.</summary>
    public async Task<StatusReply> QueryStatusAsync(CancellationToken cancellationToken = default)
    {
        var waiter = new TaskCompletionSource<StatusReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        var key = Interlocked.Increment(ref _nextRun);
        _statusWaiters[key] = waiter;
        // Replies come in request order on one connection, so the oldest waiter gets each.
        if (!_connection.Post(new ClusterEnvelope { StatusRequest = new StatusRequest() }))
        {
            _statusWaiters.TryRemove(key, out _);
            throw new SchedulerUnreachableException(Address, "the connection is closed");
        }

        var reply = await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        _lastStatus = reply;
        return reply;
    }

    /// <summary>Kills task <paramref name="taskId"/> (an id from <see cref="StatusAsync"/> or a report), whichever client submitted it.</summary>
    /// <remarks>An administrative kill, as <c>funcexec kill</c> does: the scheduler logs it with this client's name. A task's own
    /// <see cref="RemoteTask.KillAsync"/> kills only the tasks this client submitted.</remarks>
    /// <returns><c>killed</c> (it was still queued), <c>sent</c> (its node kills it; its client gets the final report), or <c>not-found</c>.</returns>
    public async Task<string> KillAsync(long taskId, CancellationToken cancellationToken = default)
    {
        var waiter = _killWaiters.GetOrAdd(taskId, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_connection.Post(new ClusterEnvelope { KillTask = new KillTask { TaskId = taskId, Admin = true } }))
        {
            throw new SchedulerUnreachableException(Address, "the connection is closed");
        }

        try
        {
            return await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _killWaiters.TryRemove(taskId, out _);
        }
    }

    /// <inheritdoc />
    /// <exception cref="ResourceRequestException">The scheduler refused the submission (a task wider than any node); nothing ran.</exception>
    public async Task<IReadOnlyList<TaskReport>> RunAsync(IReadOnlyList<TaskSpec> tasks, Action<int, TaskReport>? onFinished = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var runId = Interlocked.Increment(ref _nextRun);
        var run = new PendingRun(new RunObserver(tasks.Count, onFinished));
        var submit = new SubmitTasks { Request = runId };
        var uploads = new List<ClusterEnvelope>();
        var preparedTasks = _preparer.Prepare(tasks);
        for (var i = 0; i < tasks.Count; i++)
        {
            var prepared = preparedTasks[i];
            if (prepared.Refused is { } refused)
            {
                run.Observer.Complete(i, refused);
                continue;
            }

            var task = prepared.Task!;
            AddUpload(task.Assignment, uploads);
            submit.Tasks.Add(new SubmittedTaskSpec
            {
                Name = task.Name,
                Cores = task.Cores,
                Priority = task.Priority,
                Retries = task.Retries,
                Tag = (runId << 32) | (uint)i,
                Assignment = task.Assignment,
            });
        }

        if (submit.Tasks.Count > 0)
        {
            _runs[runId] = run;
            lock (_sendLock)
            {
                foreach (var upload in uploads)
                {
                    _connection.Post(upload);
                }

                if (!_connection.Post(new ClusterEnvelope { Submit = submit }))
                {
                    throw new SchedulerUnreachableException(Address, "the connection is closed");
                }
            }

            await run.Accepted.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await run.Observer.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _runs.TryRemove(runId, out _);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>The scheduler's pulse interval, or the shortest an open computation asked for.</summary>
    private TimeSpan CurrentPulseInterval()
    {
        var interval = _schedulerPulse;
        foreach (var (_, asked) in _pulseIntervals)
        {
            interval = asked < interval ? asked : interval;
        }

        return interval;
    }

    /// <inheritdoc />
    public Task<Computation> ScheduleAsync(ComputationOptions? options = null, CancellationToken cancellationToken = default) =>
        ComputationOpener.OpenAsync(this, this, options, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<NodeInfo>> NodesAsync(CancellationToken cancellationToken = default)
    {
        var status = await QueryStatusAsync(cancellationToken).ConfigureAwait(false);
        return [.. status.Nodes.Select(n => new NodeInfo(
            n.Index, n.Name, n.Address, [.. n.Workers.Select(w => new WorkerInfo(n.Index, n.Name, w.WorkerId, w.Core, w.State))]))];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<WorkerInfo>> WorkersAsync(CancellationToken cancellationToken = default) =>
        [.. (await NodesAsync(cancellationToken).ConfigureAwait(false)).SelectMany(n => n.Workers)];

    /// <inheritdoc />
    public IAsyncEnumerable<ClusterEvent> StatusAsync(CancellationToken cancellationToken = default) => EventStream.Open(this, 0, cancellationToken);

    TaskPreparer IClusterBackend.Preparer => _preparer;

    ComponentStore IClusterBackend.Store => _components;

    TaskHandles IClusterBackend.Handles => _handles;

    long IClusterBackend.MaxFileSize => MaxComponentBytes;

    async Task<long> IClusterBackend.OpenComputationAsync(ComputationRequest request, TimeSpan? pulseInterval, CancellationToken cancellationToken)
    {
        var key = Interlocked.Increment(ref _nextRun);
        var waiter = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        _openWaiters[key] = waiter;
        var open = new OpenComputation
        {
            Request = key,
            Name = request.Name,
            Exclusive = request.Exclusive,
            PulseIntervalMs = pulseInterval is { } pulse ? (uint)Math.Clamp(pulse.TotalMilliseconds, 10, uint.MaxValue) : 0,
        };
        open.Components.AddRange(request.Components);
        var uploads = new List<ClusterEnvelope>();
        foreach (var component in request.Components)
        {
            AddUpload(component, uploads);
        }

        PostAll(uploads, new ClusterEnvelope { OpenComputation = open });
        try
        {
            var id = await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (pulseInterval is { } interval)
            {
                _pulseIntervals[id] = interval;
            }

            return id;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Given up while waiting for its turn: once it opens, close it so it does not hold the queue.
            _ = waiter.Task.ContinueWith(
                t => _connection.Post(new ClusterEnvelope { CloseComputation = new CloseComputation { Computation = t.Result } }),
                CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            throw;
        }
        finally
        {
            _openWaiters.TryRemove(key, out _);
        }
    }

    Task IClusterBackend.CloseComputationAsync(long computation, CancellationToken cancellationToken)
    {
        _pulseIntervals.TryRemove(computation, out _);
        var waiter = _closeWaiters.GetOrAdd(computation, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        PostAll([], new ClusterEnvelope { CloseComputation = new CloseComputation { Computation = computation } });
        return waiter.Task.WaitAsync(cancellationToken);
    }

    async Task<long[]> IClusterBackend.SubmitAsync(long computation, IReadOnlyList<SubmittedTask> tasks, IReadOnlyList<RemoteTask> handles, CancellationToken cancellationToken)
    {
        var key = Interlocked.Increment(ref _nextRun);
        var submit = new SubmitTasks { Request = key };
        var uploads = new List<ClusterEnvelope>();
        for (var i = 0; i < tasks.Count; i++)
        {
            var task = tasks[i];
            // Tasks from a TaskSpec are prepared without their computation; the scheduler reads it here.
            if (task.Assignment.Computation == 0)
            {
                task.Assignment.Computation = computation;
            }

            var tag = HandleTagBit | Interlocked.Increment(ref _nextTag);
            _handlesByTag[tag] = handles[i];
            AddUpload(task.Assignment, uploads);
            var spec = new SubmittedTaskSpec
            {
                Name = task.Name,
                Cores = task.Cores,
                Priority = task.Priority,
                Retries = task.Retries,
                Tag = tag,
                Assignment = task.Assignment,
            };
            if (task.TargetNode is { } node)
            {
                spec.TargetNode = node;
            }

            if (task.TargetWorker is { } worker)
            {
                spec.TargetWorker = worker;
            }

            submit.Tasks.Add(spec);
        }

        var waiter = new TaskCompletionSource<long[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        _submitWaiters[key] = waiter;
        try
        {
            PostAll(uploads, new ClusterEnvelope { Submit = submit });
            return await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            foreach (var spec in submit.Tasks)
            {
                _handlesByTag.TryRemove(spec.Tag, out _);
            }

            throw;
        }
        finally
        {
            _submitWaiters.TryRemove(key, out _);
        }
    }

    async Task IClusterBackend.SendAsync(long taskId, byte[] payload, CancellationToken cancellationToken)
    {
        var sequence = Interlocked.Increment(ref _nextRun);
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _messageWaiters[sequence] = waiter;
        try
        {
            PostAll([], new ClusterEnvelope
            {
                TaskMessage = new TaskMessage { ToTask = taskId, PayloadJson = ByteString.CopyFrom(payload), Sequence = sequence },
            });
            await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            throw new MessageNotDeliveredException(taskId, ex.Message);
        }
        finally
        {
            _messageWaiters.TryRemove(sequence, out _);
        }
    }

    Task IClusterBackend.CancelAsync(long taskId, TimeSpan grace, CancellationToken cancellationToken)
    {
        PostAll([], new ClusterEnvelope { CancelTask = new CancelTask { TaskId = taskId, GraceMs = (long)grace.TotalMilliseconds } });
        return Task.CompletedTask;
    }

    Task IClusterBackend.KillAsync(long taskId, CancellationToken cancellationToken)
    {
        PostAll([], new ClusterEnvelope { KillTask = new KillTask { TaskId = taskId } });
        return Task.CompletedTask;
    }

    Task<IReadOnlyList<NodeInfo>> IClusterBackend.NodesAsync(CancellationToken cancellationToken) => NodesAsync(cancellationToken);

    IDisposable IClusterBackend.Subscribe(long computation, Action<IReadOnlyList<ClusterEvent>> onEvents, Action<Exception?> onEnded)
    {
        var entry = (computation, onEvents, onEnded);
        lock (_subscribersLock)
        {
            if (_lost is { } lost)
            {
                // The connection is gone already: nothing will come.
                onEnded(lost);
                return new Unsubscriber(this, entry);
            }

            _subscribers = [.. _subscribers, entry];
            if (!_subscribed)
            {
                // One subscription for everything; each local subscriber filters its own.
                _subscribed = true;
                PostAll([], new ClusterEnvelope { SubscribeEvents = new SubscribeEvents { Computation = 0 } });
            }
        }

        return new Unsubscriber(this, entry);
    }

    private void PostAll(List<ClusterEnvelope> first, ClusterEnvelope last)
    {
        lock (_sendLock)
        {
            foreach (var envelope in first)
            {
                _connection.Post(envelope);
            }

            if (!_connection.Post(last))
            {
                throw new SchedulerUnreachableException(Address, "the connection is closed");
            }
        }
    }

    private void OnEvents(ClusterEvents events)
    {
        var decoded = new List<ClusterEvent>(events.Events.Count);
        foreach (var wire in events.Events)
        {
            if (EventWire.FromWire(wire) is { } e)
            {
                decoded.Add(e);
            }
        }

        foreach (var (computation, onEvents, _) in Volatile.Read(ref _subscribers))
        {
            var mine = computation == 0 ? decoded : decoded.FindAll(e => e.Concerns(computation));
            if (mine.Count > 0)
            {
                onEvents(mine);
            }
        }
    }

    private sealed class Unsubscriber(RemoteCluster cluster, (long, Action<IReadOnlyList<ClusterEvent>>, Action<Exception?>) entry) : IDisposable
    {
        public void Dispose()
        {
            lock (cluster._subscribersLock)
            {
                cluster._subscribers = [.. cluster._subscribers.Where(s => s != entry)];
            }
        }
    }

    private void AddUpload(TaskAssignment assignment, List<ClusterEnvelope> uploads)
    {
        if (assignment.NeededComponent is { } component)
        {
            AddUpload(component, uploads);
        }
    }

    private void AddUpload(ComponentRef component, List<ClusterEnvelope> uploads)
    {
        lock (_uploaded)
        {
            if (!_uploaded.Add(component.Sha256))
            {
                return;
            }
        }

        var upload = new ComponentUpload { Component = component };
        foreach (var (name, content) in _components.ReadBundle(component))
        {
            upload.Files.Add(new ComponentFile { Name = name, Content = ByteString.CopyFrom(content) });
        }

        uploads.Add(new ClusterEnvelope { Component = upload });
    }

    private ValueTask OnFrameAsync(ClusterEnvelope envelope)
    {
        Volatile.Write(ref _lastHeard, TimeProvider.System.GetTimestamp());
        switch (envelope.BodyCase)
        {
            case ClusterEnvelope.BodyOneofCase.TaskReports:
                foreach (var report in envelope.TaskReports.Reports)
                {
                    if ((report.Tag & HandleTagBit) != 0)
                    {
                        if (_handlesByTag.TryRemove(report.Tag, out var handle))
                        {
                            _handles.Complete(handle, ToReport(report));
                        }
                    }
                    else if (_runs.TryGetValue(report.Tag >> 32, out var run))
                    {
                        run.Observer.Complete((int)(report.Tag & 0xFFFF_FFFF), ToReport(report));
                    }
                }

                break;
            case ClusterEnvelope.BodyOneofCase.SubmitAccepted:
                if (_runs.TryGetValue(envelope.SubmitAccepted.Request, out var accepted))
                {
                    accepted.Accepted.TrySetResult();
                }
                else if (_submitWaiters.TryGetValue(envelope.SubmitAccepted.Request, out var submitted))
                {
                    submitted.TrySetResult([.. envelope.SubmitAccepted.TaskIds]);
                }

                break;
            case ClusterEnvelope.BodyOneofCase.SubmitRefused:
                if (_runs.TryRemove(envelope.SubmitRefused.Request, out var refused))
                {
                    refused.Accepted.TrySetException(new ResourceRequestException(envelope.SubmitRefused.Reason));
                }
                else if (_submitWaiters.TryGetValue(envelope.SubmitRefused.Request, out var refusedSubmit))
                {
                    refusedSubmit.TrySetException(new ResourceRequestException(envelope.SubmitRefused.Reason));
                }

                break;
            case ClusterEnvelope.BodyOneofCase.StatusReply:
                var oldest = _statusWaiters.Keys.DefaultIfEmpty(-1).Min();
                if (_statusWaiters.TryRemove(oldest, out var waiter))
                {
                    waiter.TrySetResult(envelope.StatusReply);
                }

                break;
            case ClusterEnvelope.BodyOneofCase.ResultReply: OnResultReply(envelope.ResultReply); break;
            case ClusterEnvelope.BodyOneofCase.KillReply:
                if (_killWaiters.TryGetValue(envelope.KillReply.TaskId, out var killWaiter))
                {
                    killWaiter.TrySetResult(envelope.KillReply.Outcome);
                }

                break;
            case ClusterEnvelope.BodyOneofCase.ComputationOpened:
                var opened = envelope.ComputationOpened;
                if (_openWaiters.TryGetValue(opened.Request, out var openWaiter))
                {
                    if (opened.Error.Length > 0)
                    {
                        openWaiter.TrySetException(new ComponentRefusedException(opened.Error));
                    }
                    else
                    {
                        openWaiter.TrySetResult(opened.Computation);
                    }
                }

                break;
            case ClusterEnvelope.BodyOneofCase.ComputationClosed:
                if (_closeWaiters.TryRemove(envelope.ComputationClosed.Computation, out var closeWaiter))
                {
                    if (envelope.ComputationClosed.Error.Length > 0)
                    {
                        closeWaiter.TrySetException(new ComputationClosedException(envelope.ComputationClosed.Error));
                    }
                    else
                    {
                        closeWaiter.TrySetResult();
                    }
                }

                break;
            case ClusterEnvelope.BodyOneofCase.MessageAck:
                if (_messageWaiters.TryGetValue(envelope.MessageAck.Sequence, out var messageWaiter))
                {
                    if (envelope.MessageAck.Error.Length > 0)
                    {
                        messageWaiter.TrySetException(new InvalidOperationException(envelope.MessageAck.Error));
                    }
                    else
                    {
                        messageWaiter.TrySetResult();
                    }
                }

                break;
            case ClusterEnvelope.BodyOneofCase.TaskMessage:
                _handles.OnMessage(envelope.TaskMessage);
                break;
            case ClusterEnvelope.BodyOneofCase.TaskProgress:
                _handles.OnProgress(envelope.TaskProgress);
                break;
            case ClusterEnvelope.BodyOneofCase.ClusterEvents:
                OnEvents(envelope.ClusterEvents);
                break;
            case ClusterEnvelope.BodyOneofCase.CancelReply:
                break;
            case ClusterEnvelope.BodyOneofCase.Pulse:
                break;
            default:
                throw new InvalidDataException($"unexpected {envelope.BodyCase} from the scheduler");
        }

        return ValueTask.CompletedTask;
    }

    private void FailAll(string reason)
    {
        var error = new SchedulerUnreachableException(Address, $"the connection was lost ({reason})");
        foreach (var (_, run) in _runs)
        {
            run.Accepted.TrySetException(error);
            run.Observer.Fail(error);
        }

        foreach (var (_, waiter) in _statusWaiters)
        {
            waiter.TrySetException(error);
        }

        foreach (var (_, waiter) in _killWaiters)
        {
            waiter.TrySetException(error);
        }

        foreach (var (_, waiter) in _openWaiters)
        {
            waiter.TrySetException(error);
        }

        foreach (var (_, waiter) in _closeWaiters)
        {
            // The scheduler closes a departed client's computations itself.
            waiter.TrySetResult();
        }

        foreach (var (_, waiter) in _submitWaiters)
        {
            waiter.TrySetException(error);
        }

        foreach (var (_, waiter) in _messageWaiters)
        {
            waiter.TrySetException(error);
        }

        foreach (var (_, handle) in _handlesByTag)
        {
            handle.Fail(error);
        }

        _handlesByTag.Clear();
        List<(long Computation, Action<IReadOnlyList<ClusterEvent>> OnEvents, Action<Exception?> OnEnded)> subscribers;
        lock (_subscribersLock)
        {
            _lost = error;
            subscribers = _subscribers;
            _subscribers = [];
        }

        foreach (var subscriber in subscribers)
        {
            // Event streams end with the connection, saying why.
            subscriber.OnEnded(error);
        }
    }

    private static TaskReport ToReport(TaskReportMessage m) => new()
    {
        Id = m.Id,
        Name = m.Name,
        State = m.Outcome.ToState(),
        ResultJson = m.ResultJson.IsEmpty ? null : m.ResultJson.ToStringUtf8(),
        Error = m.Error?.ToModel(),
        Worker = m.Worker.Length == 0 ? null : m.Worker,
        Cores = [.. m.Cores],
        Started = Core.Tasks.UnixTime.FromMicroseconds(m.StartedUnixUs),
        Finished = Core.Tasks.UnixTime.FromMicroseconds(m.FinishedUnixUs),
        Attempts = m.Attempts,
        Output = m.Output.Length == 0 ? null : m.Output,
    };

    private sealed record PendingRun(RunObserver Observer)
    {
        public TaskCompletionSource Accepted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
