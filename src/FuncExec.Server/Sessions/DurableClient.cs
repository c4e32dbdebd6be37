using FuncExec.Node.Components;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler;

namespace FuncExec.Server.Sessions;

/// <summary>
/// A client as the scheduler knows it across connections: the owner of its tasks and computations, and the keeper
/// of the reports it has not acknowledged. Connections (<see cref="ClientSession"/>) attach to it and detach from it.
/// </summary>
/// <remarks>
/// A client that gave a token (<see cref="Durable"/>) outlives its connection by its reattach time: its tasks keep
/// running, their reports are kept, and a connection that presents the same token takes over. When that time passes
/// with no connection, the client is gone: as when a client leaves, its queued tasks are dropped, its running ones
/// killed, its computations closed. A client that gave no token is one connection, gone when it closes.
/// Delivery: every report is posted to the attached connection (if any) and kept until the client acknowledges it;
/// on <see cref="Resume"/> every kept one is posted again, so each reaches the client at least once, and the client
/// keeps the first per tag (exactly once to its user).
/// </remarks>
internal sealed class DurableClient : ITaskObserver
{
    /// <summary>Reports per TaskReports frame when posting kept ones again, so no frame nears the client's cap.</summary>
    private const int ReportsPerFrame = 256;

    /// <summary>The capacity the table of reports not yet acknowledged keeps once empty.</summary>
    private const int KeptTableCapacity = 65_536;

    private readonly SchedulerServer _server;
    private readonly Lock _lock = new();
    // Hashed, not sorted: a report goes in and out of it on every task; the rare resend after a reconnect sorts them.
    private readonly Dictionary<long, TaskReportMessage> _unacked = [];
    private ClientSession? _session;
    private ITimer? _expiry;
    private bool _gone;

    public DurableClient(SchedulerServer server, string token, bool durable, string name, TimeSpan reattach)
    {
        _server = server;
        Token = token;
        Durable = durable;
        Name = name;
        Reattach = reattach;
        Uploads = new ComponentUploads(server.Components, server.Options.MaxPendingUploads, server.Options.UploadGrace, server.Time);
    }

    /// <summary>Its token (a made-up one for a client that gave none, which no connection can present).</summary>
    public string Token { get; }

    /// <summary>The token's first 8 characters: what logs show of this secret.</summary>
    public string ShortToken => Token[..8];

    /// <summary>Whether it gave a token: it may reattach, and its reports are kept until it acknowledges them.</summary>
    public bool Durable { get; }

    /// <summary>The name it gave in its last handshake.</summary>
    public string Name { get; private set; }

    /// <summary>How long it is waited for after its connection drops.</summary>
    public TimeSpan Reattach { get; private set; }

    /// <summary>What it uploaded: outlives its connections, so its open computations keep their components.</summary>
    public ComponentUploads Uploads { get; }

    /// <summary>The connection it uses now; null while detached.</summary>
    public ClientSession? Session
    {
        get
        {
            lock (_lock)
            {
                return _session;
            }
        }
    }

    /// <summary>Reports kept for it (not acknowledged).</summary>
    public int Unacknowledged
    {
        get
        {
            lock (_lock)
            {
                return _unacked.Count;
            }
        }
    }

    string? ITaskObserver.Name => Session is { } session ? $"{Name} at {session.Remote}" : $"{Name} (detached)";

    // Every client is journaled: one without a token under a token made for it, so its submissions are accepted once
    // durable and its results readable by id (it cannot reattach: nobody else knows that token).
    string? ITaskObserver.JournalToken => Token;

    /// <summary>Takes <paramref name="session"/> as its connection.</summary>
    /// <returns>False when the client has gone meanwhile (the caller makes a new one); else true, with the connection
    /// it replaces (to close: the newer connection wins).</returns>
    public bool TryAttach(ClientSession session, string name, TimeSpan reattach, out ClientSession? replaced)
    {
        lock (_lock)
        {
            replaced = null;
            if (_gone)
            {
                return false;
            }

            replaced = _session;
            _session = session;
            Name = name;
            Reattach = reattach;
            _expiry?.Dispose();
            _expiry = null;
            return true;
        }
    }

    /// <summary>Its connection <paramref name="session"/> ended; a durable client waits for another for its reattach time.</summary>
    /// <returns>How many queued tasks were dropped because the client went at once (it gave no token).</returns>
    public int Detach(ClientSession session)
    {
        lock (_lock)
        {
            if (_session != session)
            {
                return 0; // Replaced by a newer connection already.
            }

            _session = null;
            if (Durable && !_leaving && !_server.Stopping.IsCancellationRequested)
            {
                _expiry = _server.Time.CreateTimer(_ => Expire(), null, Reattach, Timeout.InfiniteTimeSpan);
                return 0;
            }
        }

        return Expire();
    }

    private bool _leaving;

    /// <summary>The client said goodbye: when its connection ends, it is gone at once rather than after its reattach time.</summary>
    public void Leaving()
    {
        lock (_lock)
        {
            _leaving = true;
        }
    }

    /// <summary>Starts its reattach time now, for a client rebuilt from the journal after a restart.</summary>
    public void WaitDetached()
    {
        lock (_lock)
        {
            _expiry ??= _server.Time.CreateTimer(_ => Expire(), null, Reattach, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>No connection came back in time: the client is gone.</summary>
    private int Expire()
    {
        lock (_lock)
        {
            if (_session is not null || _gone)
            {
                return 0;
            }

            _gone = true;
            _expiry?.Dispose();
            _expiry = null;
            _unacked.Clear();
        }

        _server.Gone(this);
        Uploads.Dispose();
        var dropped = _server.Scheduler.Forget(this);
        if (Durable && !Volatile.Read(ref _leaving))
        {
            // One that said goodbye is logged as any client that leaves.
            ServerLog.ClientGone(_server.Logger, Name, ShortToken, (int)Reattach.TotalSeconds, dropped);
        }

        return dropped;
    }

    /// <summary>Reports kept from before a restart: delivered on the next <see cref="Resume"/>.</summary>
    public void Keep(TaskReportMessage report)
    {
        lock (_lock)
        {
            _unacked[report.Id] = report;
        }
    }

    public void OnFinished(IReadOnlyList<FinishedTask> finished)
    {
        var message = new TaskReports();
        foreach (var task in finished)
        {
            // The wire form the journal encoded, when there is one: built once for both.
            message.Reports.Add(task.Wire?.Message ?? task.Report.ToWire(task.Tag));
        }

        ClientSession? session;
        lock (_lock)
        {
            if (_gone)
            {
                return;
            }

            if (Durable)
            {
                foreach (var report in message.Reports)
                {
                    _unacked[report.Id] = report;
                }
            }

            session = _session;
        }

        session?.Post(new ClusterEnvelope { TaskReports = message });
    }

    public void OnMessage(TaskMessage message) => Session?.Post(new ClusterEnvelope { TaskMessage = message });

    public void OnProgress(TaskProgress progress) => Session?.Post(new ClusterEnvelope { TaskProgress = progress });

    /// <summary>The client has these reports: they are kept no longer. Ids of reports not kept for it are ignored.</summary>
    public void Acknowledge(IEnumerable<long> taskIds)
    {
        List<long>? acknowledged = null;
        lock (_lock)
        {
            foreach (var id in taskIds)
            {
                if (_unacked.Remove(id))
                {
                    (acknowledged ??= []).Add(id);
                }
            }

            // A burst of a million reports does not keep its table once they are all acknowledged.
            if (_unacked.Count == 0 && _unacked.EnsureCapacity(0) > KeptTableCapacity)
            {
                _unacked.TrimExcess();
            }
        }

        if (acknowledged is not null)
        {
            _server.Scheduler.Acknowledge(this, acknowledged);
        }
    }

    /// <summary>A kept report of its task <paramref name="taskId"/>, if any.</summary>
    public TaskReportMessage? KeptReport(long taskId)
    {
        lock (_lock)
        {
            return _unacked.GetValueOrDefault(taskId);
        }
    }

    /// <summary>After a reconnect: posts every kept report again, then says which of <paramref name="pendingTags"/> it
    /// holds a task or a report for, and which of its computations are open.</summary>
    /// <remarks>Answered once every report of a task that ended before it has been handed over (with a journal: once
    /// committed), so no task is in neither list.</remarks>
    public void Resume(ClientSession session, IReadOnlyCollection<long> pendingTags) =>
        _server.Scheduler.WhenDelivered(this, (live, computations) => Resume(session, pendingTags, live, computations));

    private void Resume(ClientSession session, IReadOnlyCollection<long> pendingTags, Dictionary<long, long> live, IReadOnlyList<long> computations)
    {
        List<TaskReportMessage> kept;
        lock (_lock)
        {
            kept = [.. _unacked.Values];
        }

        kept.Sort(static (a, b) => a.Id.CompareTo(b.Id));

        for (var i = 0; i < kept.Count; i += ReportsPerFrame)
        {
            var frame = new TaskReports();
            frame.Reports.AddRange(kept.Skip(i).Take(ReportsPerFrame));
            session.Post(new ClusterEnvelope { TaskReports = frame });
        }

        var wanted = pendingTags as HashSet<long> ?? [.. pendingTags];
        var reply = new ResumeReply();
        foreach (var (tag, id) in live)
        {
            if (wanted.Contains(tag))
            {
                reply.Known.Add(new ResumedTask { Tag = tag, Id = id });
            }
        }

        foreach (var report in kept)
        {
            if (wanted.Contains(report.Tag))
            {
                reply.Known.Add(new ResumedTask { Tag = report.Tag, Id = report.Id });
            }
        }

        reply.Computations.AddRange(computations);
        session.Post(new ClusterEnvelope { ResumeReply = reply });
    }
}
