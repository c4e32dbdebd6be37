using FuncExec.Journal.Sqlite;
using FuncExec.Scheduler.Journal;

namespace FuncExec.Journal;

/// <summary>Turns the text of <c>--journal</c> into a journal and the lease that guards it.</summary>
internal static class JournalFactory
{
    /// <summary>Opens the journal <paramref name="journal"/> names: a file path for SQLite, or a
    /// <c>postgres://</c> (or <c>postgresql://</c>) URL for PostgreSQL.</summary>
    /// <remarks>Nothing is read or locked yet: acquire the lease, then call <see cref="ISchedulerJournal.Load"/>.</remarks>
    /// <exception cref="JournalException">The text names no journal this build can open; the message says why.</exception>
    public static (ISchedulerJournal Journal, IJournalLease Lease) Open(string journal, JournalOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(journal);
        ArgumentNullException.ThrowIfNull(options);
        var colon = journal.IndexOf("://", StringComparison.Ordinal);
        var scheme = colon > 0 ? journal[..colon].ToLowerInvariant() : string.Empty;
        switch (scheme)
        {
            case "postgres":
            case "postgresql":
                return Postgres.PostgresJournal.Open(journal, options.Fresh);
            case "":
            case "file":
                var path = Path.GetFullPath(scheme == "file" ? journal[(colon + 3)..] : journal);
                var sqlite = new SqliteJournal(path, options);
                var lease = new SqliteJournalLease(path);
                sqlite.JournalFailed = _ => lease.WriteFailed();
                return (sqlite, lease);
            default:
                throw new JournalException(
                    $"--journal {scheme}://… names a kind of journal FuncExec does not know; give a file path (SQLite) or a postgres:// URL");
        }
    }
}
