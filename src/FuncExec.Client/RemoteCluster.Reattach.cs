using FuncExec.Scheduler;
using FuncExec.Client.Internal;
using FuncExec.Core.Tasks;
using FuncExec.Core.Text;
using FuncExec.Node.Remote;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.Resilience;
using FuncExec.Protocol.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace FuncExec;

/// <summary>
/// Reattaching: when the connection drops, the client reconnects with backoff over its addresses for
/// <see cref="RemoteClusterOptions.ReattachTime"/>, then resumes: it sends again the components it
/// uploaded, asks the scheduler which of its waiting tasks it still holds (Resume), and settles the
/// rest from the answer (ResumeReply).
/// </summary>
/// <remarks>
/// Exactly once: a task's report is handed to its caller the first time it comes and dropped after
/// (the scheduler posts a report again after a reconnect when its acknowledgement was lost). Each
/// TaskReports frame is acknowledged (AckReports) once handled, so the scheduler stops keeping it.
/// </remarks>
internal sealed partial class RemoteCluster
{
    /// <summary>The error type of the report of a task the scheduler no longer knows after a reconnect: it restarted
    /// without its journal, or no longer holds the task's computation. What became of the task is lost.</summary>
    public const string TaskUnknownError = "FuncExec.TaskUnknown";

    // The first backoff between rounds over the addresses, doubled each round up to the last, each wait
    // spread over its upper half (BackoffJitter.Equal).
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LastBackoff = TimeSpan.FromSeconds(2);

    // Set once, under _sendLock, when the client has given up (or was disposed): nothing is sent after.
    private Exception? _gone;

    // True from a drop until the ResumeReply is handled: submissions are kept, and sent after it.
    private bool _holdSubmissions;

    // Why the scheduler is about to close the connection, when it said (a Refused frame): the drop reports it.
    private string? _refusal;

    /// <summary>Raised (on a pool thread) when the connection drops and the client starts reconnecting, with
    /// the scheduler's address and why the connection ended. Not raised when <see cref="RemoteClusterOptions.ReattachTime"/> is zero.</summary>
    internal event Action<SchedulerAddress, string>? ConnectionLost;

    /// <summary>Raised (on a pool thread) once the client has reconnected after <see cref="ConnectionLost"/>, with the address it reached.</summary>
    internal event Action<SchedulerAddress>? Reattached;

    /// <summary>How long the client keeps reconnecting after a drop (<see cref="RemoteClusterOptions.ReattachTime"/>).</summary>
    public TimeSpan ReattachTime => _options.ReattachTime;

    /// <summary>Takes a connection just made: starts reading it and pulsing, and watches for its end.</summary>
    private void Attach(SchedulerAddress address, FrameConnection connection, HandshakeResult welcome, bool reattached)
    {
        List<Action> after = [];
        lock (_sendLock)
        {
            if (_gone is not null)
            {
                // Given up or disposed meanwhile.
                _ = connection.DisposeAsync().AsTask();
                return;
            }

            Address = address;
            _connection = connection;
            if (welcome.Welcome.PulseIntervalMs > 0)
            {
                _schedulerPulse = welcome.PulseInterval;
            }

            Volatile.Write(ref _frameCap, welcome.Welcome.MaxFrameSize > 0 ? (int)Math.Min(welcome.Welcome.MaxFrameSize, int.MaxValue) : SubmitChunks.LeastFrameCap);

            Volatile.Write(ref _lastHeard, TimeProvider.System.GetTimestamp());
            if (reattached)
            {
                _holdSubmissions = true;
                UploadAgainLocked(connection);
                if (welcome.Welcome.Resumed)
                {
                    connection.Post(new ClusterEnvelope { Resume = PendingTagsLocked() });
                }
                else
                {
                    // The scheduler holds nothing under this client's token (it restarted without its journal):
                    // its answer to a Resume would be empty, so settle at once.
                    ResumeLocked(new ResumeReply(), after);
                }
            }
        }

        if (reattached)
        {
            // Said before the tasks it settles end, so that a caller hears of the reattach first.
            Reattached?.Invoke(address);
        }

        connection.Start(OnFrameAsync);
        foreach (var action in after)
        {
            action();
        }

        // A scheduler silent for 5 pulse intervals is lost: the connection closes, and the client reconnects.
        _ = PulseLoop.RunAsync(
            connection,
            CurrentPulseInterval,
            TimeProvider.System,
            () => TimeProvider.System.GetElapsedTime(Volatile.Read(ref _lastHeard)),
            () => new Pulse { SentUnixUs = UnixTime.NowMicroseconds() },
            "the scheduler",
            _stoppingToken);
        _ = connection.Completion.ContinueWith(
            t => OnDropped(connection, t.Result), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Sends again every component this client uploaded: a restarted or standby scheduler may not have them.</summary>
    private void UploadAgainLocked(FrameConnection connection)
    {
        List<ComponentRef> components;
        lock (_uploaded)
        {
            _uploaded.Clear();
            components = [.. _uploadedRefs.Values];
        }

        var uploads = new List<ClusterEnvelope>();
        foreach (var component in components)
        {
            AddUpload(component, uploads);
        }

        foreach (var upload in uploads)
        {
            PostUpload(connection, upload);
        }
    }

    /// <summary>Every tag still waiting for a report, accepted or not.</summary>
    private Resume PendingTagsLocked()
    {
        var resume = new Resume();
        resume.PendingTags.AddRange(_handlesByTag.Keys);
        foreach (var (runId, run) in _runs)
        {
            foreach (var index in run.Observer.Pending)
            {
                resume.PendingTags.Add((runId << 32) | (uint)index);
            }
        }

        return resume;
    }

    private void OnResumeReply(ResumeReply reply)
    {
        List<Action> after = [];
        lock (_sendLock)
        {
            if (!_holdSubmissions || _connection is null)
            {
                return; // Only one answer per Resume; a stray one changes nothing.
            }

            ResumeLocked(reply, after);
        }

        foreach (var action in after)
        {
            action();
        }
    }

    /// <summary>
    /// Settles every waiting task from the scheduler's answer (see <see cref="ResumePlan"/>), closes what it lost,
    /// and sends what it never had: held and unaccepted submissions, and the event subscription.
    /// Completions to run outside the lock go to <paramref name="after"/>.
    /// </summary>
    private void ResumeLocked(ResumeReply reply, List<Action> after)
    {
        var connection = _connection!;
        var known = new Dictionary<long, long>();
        foreach (var task in reply.Known)
        {
            known.TryAdd(task.Tag, task.Id);
        }

        // Computations the scheduler no longer holds: their tasks cannot finish.
        var open = reply.Computations.ToHashSet();
        foreach (var computation in _openComputations.Keys.Where(c => !open.Contains(c)).ToList())
        {
            _openComputations.TryRemove(computation, out _);
            _pulseIntervals.TryRemove(computation, out _);
            var why = $"the scheduler at {Address} no longer holds computation {computation} (it restarted without its journal), so what became of its tasks is lost";
            foreach (var (tag, pending) in _handlesByTag.Where(h => h.Value.Computation == computation).ToList())
            {
                _handlesByTag.TryRemove(tag, out _);
                var report = UnknownReport(pending.Handle.Id, pending.Handle.Name, why);
                after.Add(() => _handles.Complete(pending.Handle, report));
            }

            foreach (var submit in _pendingSubmits.Values.Where(p => p.Computation == computation).ToList())
            {
                _pendingSubmits.TryRemove(submit.Request, out _);
                after.Add(() => submit.Refuse(new ComputationClosedException(why)));
            }
        }

        foreach (var (computation, waiter) in _closeWaiters)
        {
            if (open.Contains(computation))
            {
                connection.Post(new ClusterEnvelope { CloseComputation = new CloseComputation { Computation = computation } });
            }
            else if (_closeWaiters.TryRemove(computation, out _))
            {
                after.Add(() => waiter.TrySetResult());
            }
        }

        var unaccepted = new Dictionary<long, PendingSubmit>();
        foreach (var submit in _pendingSubmits.Values)
        {
            foreach (var tag in submit.UnacceptedTags)
            {
                unaccepted[tag] = submit;
            }
        }

        var pendingTags = PendingTagsLocked().PendingTags.Select(tag => (tag, !unaccepted.ContainsKey(tag)));
        var plan = ResumePlan.Make(pendingTags, known);
        foreach (var (tag, id) in plan.NowAccepted)
        {
            var submit = unaccepted[tag];
            if (submit.Know(tag, id) && _pendingSubmits.TryRemove(submit.Request, out _))
            {
                after.Add(submit.Complete);
            }
        }

        foreach (var tag in plan.Unknown)
        {
            SettleUnknown(tag, after);
        }

        // What the scheduler never took goes again now, with the components sent just before.
        foreach (var submit in _pendingSubmits.Values.OrderBy(p => p.Request))
        {
            var remaining = submit.Remaining();
            if (remaining.Tasks.Count > 0)
            {
                connection.Post(new ClusterEnvelope { Submit = remaining });
            }
        }

        lock (_subscribersLock)
        {
            if (_subscribed)
            {
                // Events of the time away are not replayed; the stream goes on from now.
                connection.Post(new ClusterEnvelope { SubscribeEvents = new SubscribeEvents { Computation = 0 } });
            }
        }

        _holdSubmissions = false;
    }

    /// <summary>A task accepted once that the scheduler no longer knows: it is reported failed, with the distinct error type <c>FuncExec.TaskUnknown</c>.</summary>
    private void SettleUnknown(long tag, List<Action> after)
    {
        const string why = "it restarted without its journal, so what became of the task is lost; run it again if it must run";
        if ((tag & HandleTagBit) != 0)
        {
            if (_handlesByTag.TryRemove(tag, out var pending))
            {
                var report = UnknownReport(pending.Handle.Id, pending.Handle.Name, $"the scheduler at {Address} no longer knows task {pending.Handle.Id} ('{pending.Handle.Name}'): {why}");
                after.Add(() => _handles.Complete(pending.Handle, report));
            }
        }
        else if (_runs.TryGetValue(tag >> 32, out var run))
        {
            var index = (int)(tag & 0xFFFF_FFFF);
            var id = run.Ids[index];
            var name = run.Tasks[index].Name;
            var report = UnknownReport(id, name, $"the scheduler at {Address} no longer knows task {id} ('{name}'): {why}");
            after.Add(() => run.Observer.Complete(index, report));
        }
    }

    private static TaskReport UnknownReport(long id, string name, string message) => new()
    {
        Id = id,
        Name = name,
        State = TaskState.Failed,
        Error = new FuncExec.RemoteError(TaskUnknownError, message, Retryable: false),
        Finished = DateTimeOffset.UtcNow,
    };

    /// <summary>Hands each report to its task, once, then acknowledges the frame.</summary>
    private void OnReports(TaskReports reports)
    {
        var ack = new AckReports();
        foreach (var report in reports.Reports)
        {
            ack.TaskIds.Add(report.Id);
            if ((report.Tag & HandleTagBit) != 0)
            {
                // Removed on first delivery: a report posted again finds nothing and is dropped.
                if (_handlesByTag.TryRemove(report.Tag, out var pending))
                {
                    _handles.Complete(pending.Handle, _reportStrings.Read(report));
                }
            }
            else if (_runs.TryGetValue(report.Tag >> 32, out var run))
            {
                var index = (int)(report.Tag & 0xFFFF_FFFF);
                var name = (uint)index < (uint)run.Tasks.Count ? run.Tasks[index].Name : null;
                run.Observer.Complete(index, _reportStrings.Read(report, name));
            }
        }

        // After handling, so that a report is only dropped by the scheduler once it reached its caller. It goes with the
        // next frame (the next submission, or the pulse): the scheduler then reads it with that frame rather than on
        // its own, and an acknowledgement lost with the connection only has the report posted again, and dropped here.
        lock (_sendLock)
        {
            _connection?.PostWithNext(new ClusterEnvelope { AckReports = ack });
        }
    }

    private void OnAccepted(SubmitAccepted accepted)
    {
        if (_pendingSubmits.TryGetValue(accepted.Request, out var submit)
            && submit.Accept(accepted.TaskIds)
            && _pendingSubmits.TryRemove(accepted.Request, out _))
        {
            submit.Complete();
        }
    }

    private SchedulerUnreachableException ReconnectingError() =>
        new(Address.ToString(), $"the connection was lost and the client is reconnecting (for up to {Durations.Format(ReattachTime)}, RemoteClusterOptions.ReattachTime); try again once it is back");

    /// <summary>The connection ended: reconnect, or (not reattaching, or disposed) fail everything that waits.</summary>
    private void OnDropped(FrameConnection connection, CloseReason reason)
    {
        lock (_sendLock)
        {
            if (!ReferenceEquals(_connection, connection))
            {
                return;
            }

            _connection = null;
            _holdSubmissions = true;
        }

        var why = Interlocked.Exchange(ref _refusal, null) is { } refusal ? $"the scheduler closed it: {refusal}" : reason.Message;
        if (_identity is null || _stoppingToken.IsCancellationRequested)
        {
            FailAll($"the connection was lost ({why})", null);
            return;
        }

        // Answers to these would have come on the lost connection: they fail now, saying why.
        var error = new SchedulerUnreachableException(
            Address.ToString(), $"the connection was lost ({why}) before the scheduler answered; the client is reconnecting");
        FailWaiters(error);
        ConnectionLost?.Invoke(Address, why);
        _ = ReattachAsync(why);
    }

    /// <summary>Tries every address in turn, with jittered backoff between rounds, until one answers or <see cref="ReattachTime"/> has passed.</summary>
    private async Task ReattachAsync(string reason)
    {
        var token = _stoppingToken;
        var backoff = new Backoff(new BackoffOptions
        {
            InitialDelay = FirstBackoff,
            MaxDelay = LastBackoff,
            Jitter = BackoffJitter.Equal,
            Deadline = ReattachTime,
        });
        while (true)
        {
            foreach (var address in _addresses)
            {
                var left = backoff.Remaining ?? ReattachTime;
                if (left <= TimeSpan.Zero)
                {
                    GiveUp(reason);
                    return;
                }

                try
                {
                    var (connection, welcome) = await SchedulerDialer.ConnectAsync(
                        address, PeerRole.Client, _options.Name, _options.Security, left < _options.ConnectTimeout ? left : _options.ConnectTimeout,
                        NullLogger.Instance, identity: _identity, cancellationToken: token).ConfigureAwait(false);
                    Attach(address, connection, welcome, reattached: true);
                    return;
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    FailAll("the client was disposed while it reconnected", null);
                    return;
                }
                catch (Exception ex) when (ex is FuncExecException or IOException or System.Security.Authentication.AuthenticationException)
                {
                    // Not back yet (refused, no answer), or a standby not yet active: the next address, or the next round.
                    continue;
                }
            }

            try
            {
                // Cut to the time left; once it is gone, the next round gives up.
                await backoff.DelayAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                FailAll("the client was disposed while it reconnected", null);
                return;
            }
        }
    }

    private void GiveUp(string reason)
    {
        var tried = _addresses.Count > 1 ? $", trying {string.Join(", ", _addresses)}" : string.Empty;
        FailAll($"the scheduler did not come back within {Durations.Format(ReattachTime)} of losing the connection ({reason}){tried}", null);
    }

    /// <summary>Fails the calls that wait for an answer on the connection that was lost.</summary>
    private void FailWaiters(Exception error) => _requests.FailAll(error);

    /// <summary>The scheduler is gone for good: every task, run and call that waits fails with <see cref="SchedulerUnreachableException"/>.</summary>
    private void FailAll(string why, Exception? inner)
    {
        var error = new SchedulerUnreachableException(Address.ToString(), why, inner);
        lock (_sendLock)
        {
            if (_gone is not null)
            {
                return;
            }

            _gone = error;
        }

        foreach (var (request, submit) in _pendingSubmits)
        {
            if (_pendingSubmits.TryRemove(request, out _))
            {
                submit.Refuse(error);
            }
        }

        foreach (var (_, run) in _runs)
        {
            // The ids the scheduler gave, so that the caller can name what it never heard of.
            var runError = new SchedulerUnreachableException(Address.ToString(), why, inner) { TaskIds = run.Ids };
            run.Observer.Fail(runError);
        }

        FailWaiters(error);
        foreach (var (_, waiter) in _closeWaiters)
        {
            // The scheduler closes a departed client's computations itself.
            waiter.TrySetResult();
        }

        foreach (var (_, pending) in _handlesByTag)
        {
            pending.Handle.Fail(error);
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
}
