using System.Collections.Concurrent;
using FuncExec.Client.Internal;
using FuncExec.Core.Tasks;
using FuncExec.Node.Components;
using FuncExec.Node.Remote;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.Requests;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;

namespace FuncExec;

/// <summary>
/// A cluster reached through its scheduler (<c>funcexec scheduler</c>) over TCP. Several
/// clients may share one scheduler; each gets exactly its own results.
/// </summary>
/// <remarks>
/// A client has an identity that survives reconnects (see <see cref="RemoteClusterOptions.ReattachTime"/>):
/// when its connection drops it reconnects, over every address it was given, and resumes where it was.
/// </remarks>
internal sealed partial class RemoteCluster : ICluster, IClusterBackend
{
    // Replaced on each reconnect; null while reconnecting. Written under _sendLock.
    private FrameConnection? _connection;
    private readonly IReadOnlyList<SchedulerAddress> _addresses;
    private readonly RemoteClusterOptions _options;
    private readonly ClientIdentity? _identity;
    private readonly TaskPreparer _preparer;
    private readonly ComponentStore _components;
    private readonly HashSet<string> _uploaded = new(StringComparer.Ordinal);
    // Every component this client ever uploaded: sent again after a reconnect, since a restarted or
    // standby scheduler may not have it. Bounded by what the client uses.
    private readonly Dictionary<string, ComponentRef> _uploadedRefs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, PendingRun> _runs = new();

    // Reads reports so that those a run keeps share their names, worker names and core lists.
    private readonly ReportStrings _reportStrings = new();
    // Submissions not yet accepted, by request: sent again after a reconnect, dropped once accepted.
    private readonly ConcurrentDictionary<long, PendingSubmit> _pendingSubmits = new();
    private readonly ConcurrentDictionary<long, byte> _openComputations = new();
    // Every call that waits for one answer (status, kill, open, message, results): matched by request id.
    private readonly RequestTracker _requests;
    private readonly Lock _sendLock = new();
    // Closes by computation, not in _requests: a close outlives a reconnect (it is asked again after the
    // resume, or settled by it), where a plain request fails with its connection.
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _closeWaiters = new();
    private readonly ConcurrentDictionary<long, PendingHandle> _handlesByTag = new();
    private readonly TaskHandles _handles = new();
    private readonly ConcurrentDictionary<long, TimeSpan> _pulseIntervals = new();
    private readonly CancellationTokenSource _stopping = new();
    // Read once: still usable after the source is disposed, by a reconnect that ends late.
    private readonly CancellationToken _stoppingToken;
    private TimeSpan _schedulerPulse = TimeSpan.FromSeconds(2);
    private long _lastHeard = TimeProvider.System.GetTimestamp();
    private readonly Lock _subscribersLock = new();
    private List<(long Computation, Action<IReadOnlyList<ClusterEvent>> OnEvents, Action<Exception?> OnEnded)> _subscribers = [];
    private Exception? _lost;
    private bool _subscribed;
    private long _nextRun;
    private long _nextTag;
    // The scheduler's cap on this client's frames, from its Welcome: submissions are split under it.
    private int _frameCap = SubmitChunks.LeastFrameCap;
    private int _disposed;
    private StatusReply _lastStatus = new();

    // Computation tasks' tags have this bit set; RunAsync's tags (run << 32 | position) never do.
    private const long HandleTagBit = 1L << 62;

    // A component travels in one frame, under the 64 MiB frame cap with room to spare.
    private const long MaxComponentBytes = 48L * 1024 * 1024;

    private RemoteCluster(IReadOnlyList<SchedulerAddress> addresses, SchedulerAddress address, RemoteClusterOptions options, ClientIdentity? identity)
    {
        _addresses = addresses;
        _stoppingToken = _stopping.Token;
        Address = address;
        _options = options;
        _identity = identity;
        _requests = new RequestTracker(logger: options.LoggerFactory?.CreateLogger("FuncExec.Client"));
        _components = new ComponentStore(
            Path.Combine(Path.GetTempPath(), $"funcexec-{Environment.UserName}", "client-components"), options.LoggerFactory?.CreateLogger("FuncExec.Client"));
        _preparer = new TaskPreparer(_components, options.CodeCachePath ?? Path.Combine(Path.GetTempPath(), $"funcexec-{Environment.UserName}", "code"));
    }

    /// <summary>The address of the scheduler this client is (or was last) connected to.</summary>
    internal SchedulerAddress Address { get; private set; }

    /// <summary>Every address it was given, tried in this order: a scheduler and its standbys.</summary>
    internal IReadOnlyList<SchedulerAddress> Addresses => _addresses;

    /// <inheritdoc />
    public int WorkerCount => _lastStatus.Nodes.Sum(n => n.Workers.Count);

    /// <inheritdoc />
    public int MaxTaskCores => _lastStatus.Nodes.Count == 0 ? int.MaxValue : _lastStatus.Nodes.Max(n => n.Workers.Count);

    /// <summary>Connects to the scheduler at <paramref name="address"/> (<c>host:port</c>), or to the first of a list
    /// (<c>a:9700,b:9700</c>, a scheduler and its standbys) that answers.</summary>
    /// <remarks>When the connection drops later, the client tries every address of the list in turn for
    /// <see cref="RemoteClusterOptions.ReattachTime"/>.</remarks>
    /// <exception cref="SchedulerUnreachableException">Nothing answered there in time (the last address tried is named).</exception>
    /// <exception cref="ProtocolException">The scheduler refused us: secret, TLS or version.</exception>
    /// <exception cref="FormatException"><paramref name="address"/> is not an address or a list of them.</exception>
    public static async Task<RemoteCluster> ConnectAsync(string address, RemoteClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= RemoteClusterOptions.Default;
        var addresses = SchedulerAddress.ParseList(address);
        // A client that does not reattach stays one client per connection, as before reattaching existed.
        var identity = options.ReattachTime > TimeSpan.Zero ? ClientIdentity.Create(options.ReattachTime) : null;
        Exception? last = null;
        foreach (var candidate in addresses)
        {
            try
            {
                var (connection, welcome) = await SchedulerDialer.ConnectAsync(
                    candidate, PeerRole.Client, options.Name, options.Security, options.ConnectTimeout, NullLogger.Instance,
                    identity: identity, cancellationToken: cancellationToken).ConfigureAwait(false);
                var cluster = new RemoteCluster(addresses, candidate, options, identity);
                cluster.Attach(candidate, connection, welcome, reattached: false);
                await cluster.QueryStatusAsync(cancellationToken).ConfigureAwait(false);
                return cluster;
            }
            catch (SchedulerUnreachableException ex) when (addresses.Count > 1)
            {
                // A standby does not listen until it takes over: try the next.
                last = ex;
            }
            catch (PeerProtocolException ex)
            {
                // The connection layer's own failure (secret, TLS, version), as the user's FuncExecException.
                throw new ProtocolException(ex.Message, ex);
            }
        }

        throw last!;
    }

    /// <summary>The scheduler's view, without the journal's figures (see the overload).</summary>
    internal Task<StatusReply> QueryStatusAsync(CancellationToken cancellationToken = default) => QueryStatusAsync(journal: false, cancellationToken);

    /// <summary>The scheduler's view: nodes with pulse ages, workers with core, state, current task and CPU, queued and
    /// running tasks, and the journal's figures when <paramref name="journal"/>, which the scheduler counts in its
    /// database (tenths of a second for a journal that keeps many results).</summary>
    internal async Task<StatusReply> QueryStatusAsync(bool journal, CancellationToken cancellationToken = default)
    {
        using var request = _requests.NewRequest<StatusReply>(cancellationToken);
        PostAll([], new ClusterEnvelope { StatusRequest = new StatusRequest { Request = request.Id, Journal = journal } });
        var reply = await request.WaitAsync(cancellationToken).ConfigureAwait(false);
        _lastStatus = reply;
        return reply;
    }

    /// <summary>Tells the scheduler what an adaptive cluster manager decided, for its log, dashboard and status. Not
    /// answered; a note lost with the connection is not sent again.</summary>
    /// <param name="text">What was decided and why; at most 1,000 characters (the scheduler refuses longer ones).</param>
    /// <param name="targetNodes">How many nodes the manager wants now.</param>
    internal void NoteScaling(string text, int targetNodes) =>
        TryPost(new ClusterEnvelope { ScalingNote = new Protocol.V1.ScalingNote { Text = text, TargetNodes = targetNodes } });

    /// <inheritdoc />
    public async Task<string> KillAsync(long taskId, CancellationToken cancellationToken = default)
    {
        using var request = _requests.NewRequest<KillReply>(cancellationToken);
        PostAll([], new ClusterEnvelope { KillTask = new KillTask { TaskId = taskId, Admin = true, Request = request.Id } });
        var reply = await request.WaitAsync(cancellationToken).ConfigureAwait(false);
        return reply.Outcome;
    }

    /// <inheritdoc />
    /// <exception cref="ResourceRequestException">The scheduler refused the submission (a task wider than any node, or one too big
    /// to send); nothing ran, unless the submission was big enough to go in several frames: then those before the refused one may run.</exception>
    public async Task<IReadOnlyList<TaskReport>> RunAsync(IReadOnlyList<TaskSpec> tasks, Action<int, TaskReport>? onFinished = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var runId = Interlocked.Increment(ref _nextRun);
        var run = new PendingRun(new RunObserver(tasks.Count, onFinished), tasks);
        var submit = new SubmitTasks { Request = runId };
        // Sized once: a large run's list is an array on the large object heap, which growing by doubling allocated
        // twice over.
        submit.Tasks.Capacity = tasks.Count;
        _preparer.Prepare(tasks, (i, report) => run.Observer.Complete(i, report), submit.Tasks);
        var uploads = new List<ClusterEnvelope>();
        ComponentRef? looked = null;
        foreach (var task in submit.Tasks)
        {
            // The tasks of a run mostly share one component (the preparer hands each the same reference): looked up once.
            if (task.Assignment.NeededComponent is { } component && !ReferenceEquals(component, looked))
            {
                AddUpload(component, uploads);
                looked = component;
            }

            // Tagged with its position by the preparer; the run's id goes above it.
            task.Tag |= runId << 32;
        }

        if (submit.Tasks.Count > 0)
        {
            _runs[runId] = run;
            var pending = SubmitChunks.Split(
                submit,
                NextRequest,
                Volatile.Read(ref _frameCap),
                ids =>
                {
                    for (var k = 0; k < submit.Tasks.Count; k++)
                    {
                        run.Ids[(int)(submit.Tasks[k].Tag & 0xFFFF_FFFF)] = ids[k];
                    }
                },
                error =>
                {
                    // Refused: the run ends with the refusal, and none of its reports will come.
                    _runs.TryRemove(runId, out _);
                    run.Observer.Fail(error);
                });
            try
            {
                Submit(pending, uploads);
            }
            catch (SchedulerUnreachableException)
            {
                _runs.TryRemove(runId, out _);
                run.Observer.Abandon();
                throw;
            }

            // Not waiting for the acceptance first: the reports (or the refusal, which fails the run) are what the
            // caller waits for, and a second wait would wake a pool thread once more on every run.
        }

        try
        {
            return await run.Observer.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _runs.TryRemove(runId, out _);

            // Done, or no longer awaited: the reports not in yet will not reach this client.
            run.Observer.Abandon();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Once: a cluster from dependency injection is disposed by its hosted service and by the container.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        FrameConnection? connection;
        lock (_sendLock)
        {
            connection = _connection;
        }

        if (connection is not null)
        {
            // Leaving for good: the scheduler ends this client's work now rather than waiting its reattach time.
            if (connection.Post(new ClusterEnvelope { Goodbye = new ClientGoodbye() }))
            {
                using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await connection.CloseAsync("the client closed", drain.Token).ConfigureAwait(false);
            }

            await connection.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            // Disposed while reconnecting: the reconnect loop sees the token and fails what waits.
            FailAll("the client was disposed while it reconnected", null);
        }

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
        // Not cancelled with the call: a computation opened after its caller gave up must still be closed (below).
        var pending = _requests.NewRequest<ComputationOpened>(CancellationToken.None);
        var open = new OpenComputation
        {
            Request = pending.Id,
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

        try
        {
            PostAll(uploads, new ClusterEnvelope { OpenComputation = open });
        }
        catch
        {
            pending.Dispose();
            throw;
        }

        try
        {
            var opened = await pending.Reply.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (opened.Error.Length > 0)
            {
                throw new ComponentRefusedException(opened.Error);
            }

            var id = opened.Computation;
            _openComputations[id] = 0;
            if (pulseInterval is { } interval)
            {
                _pulseIntervals[id] = interval;
            }

            return id;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Given up while waiting for its turn: the request stays tracked, so that once it opens it is
            // closed and does not hold the queue.
            _ = pending.Reply.ContinueWith(
                t =>
                {
                    if (t.Result.Error.Length == 0)
                    {
                        TryPost(new ClusterEnvelope { CloseComputation = new CloseComputation { Computation = t.Result.Computation } });
                    }
                },
                CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            throw;
        }
    }

    Task IClusterBackend.CloseComputationAsync(long computation, CancellationToken cancellationToken)
    {
        _pulseIntervals.TryRemove(computation, out _);
        _openComputations.TryRemove(computation, out _);
        var waiter = _closeWaiters.GetOrAdd(computation, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_sendLock)
        {
            if (_gone is not null)
            {
                // The scheduler closes a departed client's computations itself.
                _closeWaiters.TryRemove(computation, out _);
                return Task.CompletedTask;
            }

            // While reconnecting it goes once the client is back, if the scheduler still holds the computation.
            _connection?.Post(new ClusterEnvelope { CloseComputation = new CloseComputation { Computation = computation } });
        }

        return waiter.Task.WaitAsync(cancellationToken);
    }

    async Task<long[]> IClusterBackend.SubmitAsync(long computation, IReadOnlyList<SubmittedTaskSpec> tasks, IReadOnlyList<RemoteTask> handles, CancellationToken cancellationToken)
    {
        var key = Interlocked.Increment(ref _nextRun);
        var submit = new SubmitTasks { Request = key, Computation = computation };
        var uploads = new List<ClusterEnvelope>();
        for (var i = 0; i < tasks.Count; i++)
        {
            var task = tasks[i];
            task.Tag = HandleTagBit | Interlocked.Increment(ref _nextTag);
            _handlesByTag[task.Tag] = new PendingHandle(handles[i], computation);
            AddUpload(task.Assignment, uploads);
            submit.Tasks.Add(task);
        }

        var waiter = new TaskCompletionSource<long[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pending = SubmitChunks.Split(
            submit, NextRequest, Volatile.Read(ref _frameCap), ids => waiter.TrySetResult(ids), error => waiter.TrySetException(error));
        try
        {
            Submit(pending, uploads);
            return await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Given up (cancelled, refused, or the scheduler is gone): nothing is sent again for it.
            foreach (var chunk in pending.Chunks)
            {
                _pendingSubmits.TryRemove(chunk.Request, out _);
            }

            foreach (var spec in submit.Tasks)
            {
                _handlesByTag.TryRemove(spec.Tag, out _);
            }

            throw;
        }
    }

    async Task IClusterBackend.SendAsync(long taskId, byte[] payload, CancellationToken cancellationToken)
    {
        using var request = _requests.NewRequest<MessageAck>(cancellationToken);
        PostAll([], new ClusterEnvelope
        {
            TaskMessage = new TaskMessage { ToTask = taskId, PayloadJson = ByteString.CopyFrom(payload), Sequence = request.Id },
        });
        var ack = await request.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (ack.Error.Length > 0)
        {
            throw new MessageNotDeliveredException(taskId, ack.Error);
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
                // While reconnecting it goes once the client is back, with the other subscriptions.
                _subscribed = true;
                TryPost(new ClusterEnvelope { SubscribeEvents = new SubscribeEvents { Computation = 0 } });
            }
        }

        return new Unsubscriber(this, entry);
    }

    /// <summary>Sends a request that needs the connection now.</summary>
    /// <exception cref="SchedulerUnreachableException">The connection is down (the client may be reconnecting), or gone.</exception>
    private void PostAll(List<ClusterEnvelope> first, ClusterEnvelope last)
    {
        lock (_sendLock)
        {
            if (_gone is { } gone)
            {
                throw new SchedulerUnreachableException(Address.ToString(), $"the connection is closed ({gone.Message})", gone);
            }

            if (_connection is not { } connection)
            {
                throw ReconnectingError();
            }

            foreach (var envelope in first)
            {
                PostUpload(connection, envelope);
            }

            if (!connection.Post(last))
            {
                throw _identity is null ? new SchedulerUnreachableException(Address.ToString(), "the connection is closed") : ReconnectingError();
            }
        }
    }

    /// <summary>Sends what may be lost with the connection (a close, an acknowledgement): the scheduler learns it another way.</summary>
    private void TryPost(ClusterEnvelope envelope)
    {
        lock (_sendLock)
        {
            _connection?.Post(envelope);
        }
    }

    /// <summary>Keeps a submission's chunks until each is accepted, and sends them now unless the client is reconnecting
    /// (then they go once it is back).</summary>
    /// <exception cref="SchedulerUnreachableException">The scheduler is gone for good.</exception>
    /// <summary>Posts a component's upload unless it went before on this connection, and remembers it to send again
    /// after a reconnect. Called under the send lock, so every submission that needs it is posted after it.</summary>
    private void PostUpload(FrameConnection connection, ClusterEnvelope upload)
    {
        var component = upload.Component.Component;
        lock (_uploaded)
        {
            _uploadedRefs.TryAdd(component.Sha256, component);
            if (!_uploaded.Add(component.Sha256))
            {
                return;
            }
        }

        connection.Post(upload);
    }

    private void Submit(SubmitChunks pending, List<ClusterEnvelope> uploads)
    {
        lock (_sendLock)
        {
            if (_gone is { } gone)
            {
                throw new SchedulerUnreachableException(Address.ToString(), $"the connection is closed ({gone.Message})", gone);
            }

            foreach (var chunk in pending.Chunks)
            {
                _pendingSubmits[chunk.Request] = chunk;
            }

            if (_connection is { } connection && !_holdSubmissions)
            {
                foreach (var upload in uploads)
                {
                    PostUpload(connection, upload);
                }

                // A post refused by a closing connection is sent again after the reconnect.
                foreach (var chunk in pending.Chunks)
                {
                    connection.Post(new ClusterEnvelope { Submit = chunk.Remaining() });
                }
            }
            else
            {
                // Held until the reconnect, which sends every remembered component before the held submissions.
                lock (_uploaded)
                {
                    foreach (var upload in uploads)
                    {
                        _uploadedRefs.TryAdd(upload.Component.Component.Sha256, upload.Component.Component);
                    }
                }
            }
        }
    }

    /// <summary>A request id for a submission's later chunk: from the runs' sequence, so no run or submission has it.</summary>
    private long NextRequest() => Interlocked.Increment(ref _nextRun);

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

    // Builds the upload of a component not yet sent on this connection. It is claimed only as it is posted
    // (PostUpload, under the send lock): claimed here, another thread's submission needing it could be posted first,
    // and the scheduler would place its tasks before their component arrived.
    private void AddUpload(ComponentRef component, List<ClusterEnvelope> uploads)
    {
        lock (_uploaded)
        {
            if (_uploaded.Contains(component.Sha256))
            {
                return;
            }
        }

        foreach (var queued in uploads)
        {
            if (string.Equals(queued.Component.Component.Sha256, component.Sha256, StringComparison.Ordinal))
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
                OnReports(envelope.TaskReports);
                break;
            case ClusterEnvelope.BodyOneofCase.SubmitAccepted:
                OnAccepted(envelope.SubmitAccepted);
                break;
            case ClusterEnvelope.BodyOneofCase.SubmitRefused:
                if (_pendingSubmits.TryRemove(envelope.SubmitRefused.Request, out var refused))
                {
                    refused.Refuse(new ResourceRequestException(envelope.SubmitRefused.Reason));
                }

                break;
            case ClusterEnvelope.BodyOneofCase.ResumeReply:
                OnResumeReply(envelope.ResumeReply);
                break;
            case ClusterEnvelope.BodyOneofCase.Refused:
                // The scheduler closes the connection right after (this client sent a frame over its cap): the drop says why.
                Volatile.Write(ref _refusal, envelope.Refused.Reason);
                break;
            case ClusterEnvelope.BodyOneofCase.StatusReply:
                _requests.TryComplete(envelope.StatusReply.Request, envelope.StatusReply);
                break;
            case ClusterEnvelope.BodyOneofCase.ResultReply:
                _requests.TryComplete(envelope.ResultReply.Request, envelope.ResultReply);
                break;
            case ClusterEnvelope.BodyOneofCase.KillReply:
                _requests.TryComplete(envelope.KillReply.Request, envelope.KillReply);
                break;
            case ClusterEnvelope.BodyOneofCase.ComputationOpened:
                _requests.TryComplete(envelope.ComputationOpened.Request, envelope.ComputationOpened);
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
                _requests.TryComplete(envelope.MessageAck.Sequence, envelope.MessageAck);
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

    /// <summary>A <see cref="RunAsync"/> in progress: its tasks' tags are <c>run &lt;&lt; 32 | position</c>.</summary>
    private sealed record PendingRun(RunObserver Observer, IReadOnlyList<TaskSpec> Tasks)
    {
        /// <summary>The scheduler's id of each task, by position, once accepted.</summary>
        public long[] Ids { get; } = new long[Tasks.Count];
    }

    /// <summary>A computation's task waiting for its report.</summary>
    private sealed record PendingHandle(RemoteTask Handle, long Computation);
}
