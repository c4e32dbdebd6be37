using FuncExec.Node.Components;
using FuncExec.Protocol;
using FuncExec.Protocol.Components;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.Diagnostics;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace FuncExec.Server.Sessions;

/// <summary>
/// One client's connection: takes its components and submissions, streams back the reports
/// of its tasks (and only its tasks), answers status requests.
/// </summary>
/// <remarks>It acts only on its own: cancel, kill, message, close and submit name tasks it submitted and
/// computations it opened, else are refused naming them. A kill marked administrative (<c>funcexec kill</c>)
/// may end any client's task, and is logged as such.</remarks>
internal sealed class ClientSession
{
    private readonly SchedulerServer _server;
    private readonly FrameConnection _connection;
    private readonly ILogger _logger;
    private readonly string _name;
    private DurableClient _client = null!;

    public ClientSession(SchedulerServer server, FrameConnection connection, string name, ILogger logger)
    {
        _server = server;
        _connection = connection;
        _name = name;
        _logger = logger;
        _lastHeard = server.Time.GetTimestamp();
    }

    /// <summary>The client this connection serves (set once it attached).</summary>
    public DurableClient Client => _client;


    private readonly Dictionary<string, string> _refusedComponents = new(StringComparer.Ordinal);
    private readonly HashSet<string> _loggedRefusals = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, TimeSpan> _pulseIntervals = new();
    private long _lastHeard;
    private IDisposable? _events;

    /// <summary>The name the client gave in its handshake.</summary>
    public string Name => _name;

    /// <summary>Where it connected from.</summary>
    public string Remote { get; init; } = "?";

    /// <summary>The address it connected from, without the port: what its log lines are limited by.</summary>
    public string Address { get; init; } = "?";

    /// <summary>When it connected.</summary>
    public DateTimeOffset Connected { get; } = DateTimeOffset.UtcNow;

    /// <summary>Serves the connection for <paramref name="client"/> until it ends; the client then waits detached for its
    /// reattach time (or is gone at once when it gave no token).</summary>
    public async Task RunAsync(DurableClient client)
    {
        _client = client;
        _server.Track(this);
        _connection.Start(OnFrameAsync);
        // Both ends pulse, so a client that hangs (no FIN) is found, its computations closed and
        // an exclusive hold released; the client finds a silent scheduler the same way.
        var reason = await PulseLoop.RunAsync(
            _connection,
            CurrentPulseInterval,
            _server.Time,
            () => _server.Time.GetElapsedTime(Volatile.Read(ref _lastHeard)),
            () => new Pulse { SentUnixUs = FuncExec.UnixTime.NowMicroseconds() },
            $"client {_name}",
            _server.Stopping).ConfigureAwait(false);
        await _connection.CloseAsync(reason, CancellationToken.None).ConfigureAwait(false);
        _server.Untrack(this);
        _events?.Dispose();
        var dropped = _client.Detach(this);
        LogLeft(reason, dropped);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Sends a frame to the client (dropped once the connection has closed).</summary>
    public void Post(ClusterEnvelope envelope) => _connection.Post(envelope);

    /// <summary>Ends this connection: a newer one of the same client took over.</summary>
    public ValueTask CloseAsync(string reason) => _connection.CloseAsync(reason, CancellationToken.None);

    /// <summary>One line per address per 10 s however many clients come and go, with a count of the rest; a client
    /// that left work behind is always logged.</summary>
    private void LogLeft(string reason, int dropped)
    {
        var admission = dropped > 0 ? new LogAdmission(true, 0, TimeSpan.Zero) : _server.SessionLog.Admit($"{Address} client left");
        if (!admission.Write)
        {
            return;
        }

        if (admission.Suppressed == 0)
        {
            ServerLog.ClientLeft(_logger, _name, reason, dropped);
        }
        else
        {
            ServerLog.ClientLeftRepeatedly(_logger, _name, reason, dropped, admission.Suppressed, Address, (int)Math.Round(admission.Since.TotalSeconds));
        }
    }

    /// <summary>The scheduler's pulse interval, or the shortest one an open computation of this client asked for.</summary>
    private TimeSpan CurrentPulseInterval()
    {
        var interval = _server.Options.PulseInterval;
        foreach (var (_, asked) in _pulseIntervals)
        {
            interval = asked < interval ? asked : interval;
        }

        return interval;
    }

    private ValueTask OnFrameAsync(ClusterEnvelope envelope)
    {
        Volatile.Write(ref _lastHeard, _server.Time.GetTimestamp());
        switch (envelope.BodyCase)
        {
            case ClusterEnvelope.BodyOneofCase.Component:
                StoreComponent(envelope.Component);
                break;
            case ClusterEnvelope.BodyOneofCase.OpenComputation:
                Open(envelope.OpenComputation);
                break;
            case ClusterEnvelope.BodyOneofCase.CloseComputation:
                Close(envelope.CloseComputation);
                break;
            case ClusterEnvelope.BodyOneofCase.TaskMessage:
                var error = _server.Scheduler.SendToTask(_client, envelope.TaskMessage);
                if (envelope.TaskMessage.Sequence != 0)
                {
                    _connection.Post(new ClusterEnvelope { MessageAck = new MessageAck { Sequence = envelope.TaskMessage.Sequence, Error = error ?? string.Empty } });
                }

                if (error is not null && error.Contains(ClusterScheduler.AnotherClients, StringComparison.Ordinal))
                {
                    Refused("message", error);
                }

                break;
            case ClusterEnvelope.BodyOneofCase.CancelTask:
                Cancel(envelope.CancelTask);
                break;
            case ClusterEnvelope.BodyOneofCase.SubscribeEvents:
                Subscribe(envelope.SubscribeEvents.Computation);
                break;
            case ClusterEnvelope.BodyOneofCase.Submit:
                Submit(envelope.Submit);
                break;
            case ClusterEnvelope.BodyOneofCase.KillTask:
                Kill(envelope.KillTask);
                break;
            case ClusterEnvelope.BodyOneofCase.StatusRequest:
                var status = _server.BuildStatus(envelope.StatusRequest.Journal);
                status.Request = envelope.StatusRequest.Request;
                _connection.Post(new ClusterEnvelope { StatusReply = status });
                break;
            case ClusterEnvelope.BodyOneofCase.Pulse:
                break;
            case ClusterEnvelope.BodyOneofCase.ScalingNote:
                if (_server.Scheduler.NoteScaling(_name, envelope.ScalingNote.Text, envelope.ScalingNote.TargetNodes) is { } refused)
                {
                    Refused("scaling note", refused);
                }
                else
                {
                    ServerLog.Scaling(_logger, _name, envelope.ScalingNote.Text);
                }

                break;
            case ClusterEnvelope.BodyOneofCase.Goodbye:
                _client.Leaving();
                break;
            case ClusterEnvelope.BodyOneofCase.AckReports:
                _client.Acknowledge(envelope.AckReports.TaskIds);
                break;
            case ClusterEnvelope.BodyOneofCase.Resume:
                _client.Resume(this, [.. envelope.Resume.PendingTags]);
                break;
            case ClusterEnvelope.BodyOneofCase.ResultRequest:
                var request = envelope.ResultRequest;
                // Reads the journal: off the connection's I/O thread.
                _ = Task.Run(() => _connection.Post(new ClusterEnvelope { ResultReply = _server.Results.Answer(_client, request) }));
                break;
            default:
                throw new InvalidDataException($"unexpected {envelope.BodyCase} from client {_name}");
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>A request refused as outside this client's role: logged once per kind (the scheduler counts them all).</summary>
    private void Refused(string kind, string reason)
    {
        if (_loggedRefusals.Add(kind))
        {
            ServerLog.ClientRequestRefused(_logger, _name, Remote, kind, reason);
        }
    }

    private void Close(CloseComputation close)
    {
        var computation = close.Computation;
        var outcome = _server.Scheduler.CloseComputation(computation, _client, () => PostClosed(computation, close.Request));
        if (outcome != CloseRequest.Refused)
        {
            _pulseIntervals.TryRemove(computation, out _);
            _client.Uploads.Release(computation);
        }

        switch (outcome)
        {
            case CloseRequest.NotOpen:
                PostClosed(computation, close.Request);
                break;
            case CloseRequest.Refused:
                var reason = $"computation {computation} was opened by {ClusterScheduler.AnotherClients}; a client closes only the computations it opened";
                Refused("close", reason);
                _connection.Post(new ClusterEnvelope { ComputationClosed = new ComputationClosedReply { Computation = computation, Error = reason, Request = close.Request } });
                break;
        }
    }

    private void Cancel(CancelTask cancel)
    {
        var reply = new CancelReply { TaskId = cancel.TaskId, Request = cancel.Request };
        reply.Outcome = _server.Scheduler.Cancel(cancel.TaskId, TaskTimeouts.Clamp(cancel.GraceMs), _client) switch
        {
            CancelRequest.CancelledQueued => "cancelled",
            CancelRequest.Sent => "sent",
            CancelRequest.Refused => "refused",
            _ => "not-found",
        };
        if (reply.Outcome == "refused")
        {
            reply.Error = $"task {cancel.TaskId} is {ClusterScheduler.AnotherClients}'s; a client cancels only its own tasks";
            Refused("cancel", reply.Error);
        }

        _connection.Post(new ClusterEnvelope { CancelReply = reply });
    }

    /// <summary>A client kills its own tasks; an administrative kill (<c>funcexec kill</c>) any task, logged.</summary>
    private void Kill(KillTask kill)
    {
        var reply = new KillReply { TaskId = kill.TaskId, Request = kill.Request };
        reply.Outcome = _server.Scheduler.Kill(kill.TaskId, kill.Admin ? null : _client) switch
        {
            KillRequest.KilledQueued => "killed",
            KillRequest.Sent => "sent",
            KillRequest.Refused => "refused",
            _ => "not-found",
        };
        if (reply.Outcome == "refused")
        {
            reply.Error = $"task {kill.TaskId} is {ClusterScheduler.AnotherClients}'s; a client kills only its own tasks (funcexec kill, an administrative kill, ends any)";
            Refused("kill", reply.Error);
        }
        else if (kill.Admin && reply.Outcome != "not-found")
        {
            ServerLog.AdministrativeKill(_logger, _name, Remote, kill.TaskId, reply.Outcome);
        }

        _connection.Post(new ClusterEnvelope { KillReply = reply });
    }

    private void StoreComponent(ComponentUpload upload)
    {
        var component = upload.Component ?? new ComponentRef();
        if (_client.Uploads.Upload(component, [.. upload.Files.Select(f => (f.Name, f.Content.Memory))], _server.Options.MaxFileSize) is { } refused)
        {
            // Told to the client when it opens the computation that needs it; a bad id is refused again there.
            var why = refused.Replace("this node's", "the scheduler's", StringComparison.Ordinal);
            if (ComponentIds.IsValid(component.Sha256) && _refusedComponents.Count < MaxRefusalsKept)
            {
                _refusedComponents[component.Sha256] = why;
            }

            ServerLog.ComponentRefused(_logger, _name, component.FileName, why);
        }
    }

    /// <summary>Refusal reasons kept per client, so a flood of bad uploads does not grow the session.</summary>
    private const int MaxRefusalsKept = 1000;

    private void Open(OpenComputation open)
    {
        foreach (var component in open.Components)
        {
            var why = ComponentIds.Problem(component)
                ?? _refusedComponents.GetValueOrDefault(component.Sha256)
                ?? (_server.Components.Contains(component) ? null : $"component {component.FileName} was not uploaded before the computation that needs it");
            if (why is not null)
            {
                ServerLog.ComputationRefused(_logger, _name, why);
                _connection.Post(new ClusterEnvelope { ComputationOpened = new ComputationOpened { Request = open.Request, Error = why } });
                return;
            }
        }

        var id = _server.Scheduler.OpenComputation(
            new ComputationRequest(open.Name, open.Exclusive, [.. open.Components]),
            _client,
            id => _connection.Post(new ClusterEnvelope { ComputationOpened = new ComputationOpened { Request = open.Request, Computation = id } }));
        // Pinned while it is open; checked above, so this fails only if the store evicted one in between.
        if (_client.Uploads.Reference(id, [.. open.Components]) is { } lost)
        {
            ServerLog.ComputationRefused(_logger, _name, lost);
        }

        if (open.PulseIntervalMs > 0)
        {
            _pulseIntervals[id] = TimeSpan.FromMilliseconds(Math.Max(10, open.PulseIntervalMs));
        }
    }

    private void PostClosed(long computation, long request) =>
        _connection.Post(new ClusterEnvelope { ComputationClosed = new ComputationClosedReply { Computation = computation, Request = request } });

    private void Subscribe(long computation)
    {
        _events?.Dispose();
        _events = _server.Scheduler.Subscribe(events =>
        {
            var batch = new ClusterEvents();
            foreach (var e in events)
            {
                if (EventWire.ToWire(e, computation) is { } wire)
                {
                    batch.Events.Add(wire);
                }
            }

            if (batch.Events.Count > 0)
            {
                _connection.Post(new ClusterEnvelope { ClusterEvents = batch });
            }
        });
    }

    /// <summary>What a submitted task carries that the scheduler will not pass on, naming the field; null when nothing.</summary>
    private static string? SpecProblem(SubmittedTaskSpec spec) =>
        // A task names its component by id, and the scheduler reads that id as a path on the way to a node.
        (spec.Assignment?.NeededComponent is { } component ? ComponentIds.Problem(component) : null)
        // Its timeout becomes a node's timer.
        ?? (spec.Assignment is { } assignment ? TaskTimeouts.Problem(assignment.TimeoutMs) : null);

    private void Submit(SubmitTasks submit)
    {
        foreach (var spec in submit.Tasks)
        {
            if (SpecProblem(spec) is { } problem)
            {
                ServerLog.SubmitRefused(_logger, _name, problem);
                _connection.Post(new ClusterEnvelope { SubmitRefused = new SubmitRefused { Request = submit.Request, Reason = $"task {spec.Name}: {problem}" } });
                return;
            }
        }

        if (submit.Computation == 0)
        {
            foreach (var spec in submit.Tasks)
            {
                // Outside a computation nothing pins it; its tasks may wait in the queue past the upload grace.
                if (spec.Assignment?.NeededComponent is { } component)
                {
                    _client.Uploads.MarkUsed(component);
                }
            }
        }

        try
        {
            var request = submit.Request;
            // Accepted once journaled: the client hears of its ids only from the commit. The scheduler sets each
            // assignment's computation from the submission's, whatever the client wrote there.
            _server.Scheduler.Submit(submit.Computation, submit.Tasks, _client, ids =>
            {
                var accepted = new SubmitAccepted { Request = request };
                accepted.TaskIds.AddRange(ids);
                _connection.Post(new ClusterEnvelope { SubmitAccepted = accepted });
            });
        }
        catch (Exception ex) when (ex is ResourceRequestException or ComputationClosedException)
        {
            if (ex.Message.Contains(ClusterScheduler.AnotherClients, StringComparison.Ordinal))
            {
                Refused("submit", ex.Message);
            }

            _connection.Post(new ClusterEnvelope { SubmitRefused = new SubmitRefused { Request = submit.Request, Reason = ex.Message } });
        }
    }
}
