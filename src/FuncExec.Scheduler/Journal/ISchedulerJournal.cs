namespace FuncExec.Scheduler.Journal;

/// <summary>
/// Where a scheduler keeps what it must not lose: the clients it serves, their open computations,
/// every submitted task not yet finished, and every finished task's report (kept until its client
/// acknowledged it, then for the result retention time so <c>funcexec result</c> can read it).
/// </summary>
/// <remarks>
/// Appends are group-committed, one commit at a time, in the order they were made: <see cref="Append"/>
/// returns at once, and <c>committed</c> runs (on the thread that committed) once the batch, and every
/// batch appended before it, is durable. The scheduler acknowledges a submission and hands a report
/// to its client only from that callback, so what a client was told survives a crash of the
/// scheduler process. A batch of acknowledgements only, with no callback, may wait for the next commit (SQLite keeps
/// it until something else must be committed, a purge, or its stop): losing one in a crash only posts that report
/// again after the restart. Implementations: SQLite (WAL) in the scheduler's state folder, PostgreSQL.
/// </remarks>
internal interface ISchedulerJournal : IAsyncDisposable
{
    /// <summary>What and where it is, for logs and status: "sqlite /path/journal.db", "postgres host:5432/db".</summary>
    string Description { get; }

    /// <summary>Reads what the journal holds, once, before the scheduler serves anyone.</summary>
    /// <exception cref="JournalException">The journal is unreadable, corrupt, or of another schema version; the message names it and what to do.</exception>
    JournalState Load();

    /// <summary>Queues <paramref name="batch"/> for the writer; returns at once.</summary>
    /// <param name="batch">Records to make durable together. The journal owns it from here.</param>
    /// <param name="committed">Runs once the batch is durable, on the thread that committed it (the writer's, or the one
    /// that led the commit, see <see cref="LeadCommit"/>); null when nothing waits on it. Callbacks run in append order,
    /// one at a time.</param>
    /// <param name="lead">True when the caller calls <see cref="LeadCommit"/> next (outside its own locks): a journal may
    /// then leave its writer asleep and let the caller commit, so that a lone batch costs no thread hand-over.</param>
    /// <exception cref="JournalException">The writer failed earlier (disk full, database gone); the scheduler cannot promise durability.</exception>
    void Append(JournalBatch batch, Action? committed, bool lead = false);

    /// <summary>Commits, on the calling thread, what was appended with <c>lead</c> set, unless a commit is under way (that
    /// commit's thread, or the writer, then takes it); returns once it is committed and its callbacks ran, or at once.</summary>
    /// <remarks>A journal that always commits on its writer does nothing here.</remarks>
    void LeadCommit();

    /// <summary>Finished tasks' reports by id, for <c>funcexec result</c>: acknowledged or not, until their retention ends.</summary>
    /// <returns>One entry per id it holds a report for; ids it does not hold (unknown, unfinished, or past retention) are left out.</returns>
    IReadOnlyList<JournaledResult> ReadResults(IReadOnlyList<long> taskIds);

    /// <summary>Whether task <paramref name="taskId"/> is known and not finished (so <c>funcexec result</c> can say "still running").</summary>
    bool IsPending(long taskId);

    /// <summary>Size and age, for <c>funcexec status</c>.</summary>
    JournalStats Stats();

    /// <summary>Deletes acknowledged results finished before <paramref name="before"/>, and clients gone before it.</summary>
    /// <returns>How many results were deleted.</returns>
    int Purge(DateTimeOffset before);
}

/// <summary>The journal could not be read or written; the message says which journal, what failed, and what to do.</summary>
internal sealed class JournalException : Exception
{
    /// <summary>Creates one.</summary>
    public JournalException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>Records made durable together (see <see cref="ISchedulerJournal.Append"/>). Applied in this order:
/// clients, computations, submitted, started, finished, acknowledged, closed computations, gone clients.</summary>
internal sealed class JournalBatch
{
    /// <summary>Clients first seen, or seen again (name refreshed).</summary>
    public List<JournaledClient> Clients { get; } = [];

    /// <summary>Computations opened.</summary>
    public List<JournaledComputation> Computations { get; } = [];

    /// <summary>Tasks submitted (accepted once this batch commits).</summary>
    public List<JournaledTask> Submitted { get; } = [];

    /// <summary>Tasks handed to a worker: (task id, the attempt it started). A task started at a crash counts that attempt.</summary>
    public List<(long TaskId, int Attempt)> Started { get; } = [];

    /// <summary>Tasks that reached their final state; their report is kept until acknowledged, then for the retention time.</summary>
    public List<JournaledResult> Finished { get; } = [];

    /// <summary>Reports their client acknowledged having received.</summary>
    public List<long> Acknowledged { get; } = [];

    /// <summary>Computations closed (their tasks have all finished).</summary>
    public List<long> ClosedComputations { get; } = [];

    /// <summary>Clients that left for good (closed cleanly, or did not come back in their reattach time): their unacknowledged
    /// results stay readable by id for the retention time, but are no longer waiting for delivery.</summary>
    public List<string> GoneClients { get; } = [];

    /// <summary>Whether it holds acknowledgements and nothing else: records whose loss at a crash is tolerated (the
    /// report is posted again after the restart and its client drops it), so a journal may keep them for its next commit.</summary>
    public bool IsAcknowledgementsOnly => Acknowledged.Count > 0 && HoldsNothingButAcknowledgements;

    /// <summary>Whether there is nothing in it.</summary>
    public bool IsEmpty => Acknowledged.Count == 0 && HoldsNothingButAcknowledgements;

    private bool HoldsNothingButAcknowledgements =>
        Clients.Count == 0 && Computations.Count == 0 && Submitted.Count == 0 && Started.Count == 0 && Finished.Count == 0
        && ClosedComputations.Count == 0 && GoneClients.Count == 0;
}

/// <summary>A client identity: the token it presents on every connection, and the name it last gave.</summary>
internal sealed record JournaledClient(string Token, string Name, DateTimeOffset Seen);

/// <summary>An open computation. <paramref name="Components"/> is the protobuf encoding of its component list
/// (a <c>NodeComputation</c> with only <c>components</c> set), so the journal need not know the wire types.</summary>
internal sealed record JournaledComputation(long Id, string OwnerToken, string Name, bool Exclusive, byte[] Components);

/// <summary>A submitted task: its id, owner, computation (0 for the owner's implicit one), the tag its client gave it, and
/// <paramref name="Spec"/>, the protobuf encoding of its <c>SubmittedTaskSpec</c>. <paramref name="Attempts"/> counts attempts started.</summary>
internal sealed record JournaledTask(long Id, string OwnerToken, long Computation, long Tag, byte[] Spec, int Attempts);

/// <summary>A finished task's report: <see cref="Report"/> is its <c>TaskReportMessage</c> (tag included) as
/// <see cref="JournalEncoding"/> keeps it.</summary>
internal sealed record JournaledResult(long TaskId, DateTimeOffset Finished)
{
    private readonly WireReport? _wire;
    private readonly bool _mapChunk;
    private byte[]? _report;

    /// <summary>A report already encoded (as read back from a journal).</summary>
    public JournaledResult(long taskId, byte[] report, DateTimeOffset finished)
        : this(taskId, finished) => _report = report;

    /// <summary>A report encoded when the journal's writer first reads <see cref="Report"/>: outside the scheduler's lock,
    /// under which the record is made. <paramref name="mapChunk"/> says whether the task was a map chunk, whose result
    /// may take the compact form.</summary>
    public JournaledResult(long taskId, WireReport report, bool mapChunk, DateTimeOffset finished)
        : this(taskId, finished)
    {
        _wire = report;
        _mapChunk = mapChunk;
    }

    /// <summary>The encoded report.</summary>
    public byte[] Report => _report ??= JournalEncoding.EncodeReport(_wire!.Message, _mapChunk);

    /// <summary>The client the task was submitted by (filled by <see cref="ISchedulerJournal.Load"/> and <see cref="ISchedulerJournal.ReadResults"/>).</summary>
    public string OwnerToken { get; init; } = string.Empty;

    /// <summary>Whether its client acknowledged it (filled when read back).</summary>
    public bool Acknowledged { get; init; }
}

/// <summary>What a journal holds at start: what the scheduler rebuilds its state from.</summary>
/// <param name="NextTaskId">One above the largest task id ever journaled: new tasks start here, so ids are never reused.</param>
/// <param name="Clients">Clients not gone.</param>
/// <param name="Computations">Computations not closed.</param>
/// <param name="Unfinished">Tasks submitted and not finished, in id order, with the attempts they started.</param>
/// <param name="Undelivered">Reports not acknowledged by their client (of clients not gone), in task id order.</param>
internal sealed record JournalState(
    long NextTaskId,
    IReadOnlyList<JournaledClient> Clients,
    IReadOnlyList<JournaledComputation> Computations,
    IReadOnlyList<JournaledTask> Unfinished,
    IReadOnlyList<JournaledResult> Undelivered);

/// <summary>For status: how big the journal is and how old its oldest record.</summary>
/// <param name="Bytes">Its size on disk (database files, or the database's relation sizes).</param>
/// <param name="Tasks">Tasks submitted and not finished.</param>
/// <param name="Results">Reports kept (acknowledged or not).</param>
/// <param name="Oldest">When the oldest task or report it keeps was written; null when empty.</param>
internal sealed record JournalStats(string Description, long Bytes, long Tasks, long Results, DateTimeOffset? Oldest);
