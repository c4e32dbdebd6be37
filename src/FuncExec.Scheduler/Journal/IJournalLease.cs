namespace FuncExec.Scheduler.Journal;

/// <summary>
/// Who may write a journal: one active scheduler at a time. A second scheduler pointed at the same
/// journal waits in <see cref="AcquireAsync"/> as a standby (PostgreSQL: an advisory lock held on
/// its own connection) or is refused at once (SQLite: a lock on the journal file).
/// </summary>
internal interface IJournalLease : IAsyncDisposable
{
    /// <summary>Waits until this process holds the lease.</summary>
    /// <param name="onWaiting">Called once, when another scheduler holds it (to log "standing by").</param>
    /// <exception cref="JournalException">The lease cannot be had and waiting would not help (a SQLite journal another process has open).</exception>
    Task AcquireAsync(Action<string> onWaiting, CancellationToken cancellationToken);

    /// <summary>Cancelled if the lease is lost after it was acquired (the database connection dropped), or the journal can no
    /// longer be written (a failed write): the scheduler must stop serving at once, since a standby may take over.</summary>
    CancellationToken Lost { get; }
}
