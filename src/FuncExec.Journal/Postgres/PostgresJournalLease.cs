using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using FuncExec.Scheduler.Journal;
using Npgsql;

namespace FuncExec.Journal.Postgres;

/// <summary>
/// Who may write a PostgreSQL journal: the scheduler whose session holds the advisory lock <see cref="LockKey"/>
/// in that database. A second scheduler on the same database stands by, asking for the lock every 0.5 s; it gets
/// it as soon as the first one's session ends (its process died, its connection broke), and takes over.
/// </summary>
/// <remarks>
/// The session that holds the lock is also the one the journal writes through, so a scheduler that lost it cannot
/// write after its standby took over. <see cref="Lost"/> is cancelled when that session fails: a failed write, or
/// the writer's idle check (every second, answered within 3 s) — so a dead connection is found within a few seconds.
/// Closing the lease (or the journal) ends the session and frees the lock without cancelling <see cref="Lost"/>.
/// </remarks>
internal sealed partial class PostgresJournalLease : IJournalLease
{
    /// <summary>The advisory lock: the first 8 bytes of SHA-256("funcexec-journal"). Advisory locks are per database, so
    /// journals in different databases of one server do not share it.</summary>
    public static readonly long LockKey = BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes("funcexec-journal")));

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);
    private readonly PostgresJournal _journal;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationToken _lostToken;
    private int _acquiring;

    internal PostgresJournalLease(PostgresJournal journal)
    {
        _journal = journal;
        _lostToken = _lost.Token;
    }

    /// <inheritdoc />
    public CancellationToken Lost => _lostToken;

    /// <summary>The server process of the session that holds the lock (0 before); for tests that end that session.</summary>
    internal int BackendProcessId => _journal.Writer.BackendProcessId;

    /// <inheritdoc />
    /// <remarks>Also checks the journal's schema before waiting (a mismatch is refused at start, not at takeover), and creates
    /// the tables once the lock is held when the database has none.</remarks>
    /// <exception cref="JournalException">The database cannot be reached or used at first (wrong URL, password, database), or its
    /// journal is of another schema version. Once standing by, a broken connection is reopened instead, until cancelled.</exception>
    public async Task AcquireAsync(Action<string> onWaiting, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onWaiting);
        if (Interlocked.Exchange(ref _acquiring, 1) != 0)
        {
            throw new InvalidOperationException("the lease was already acquired, or is being acquired");
        }

        var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var waited = false;
        try
        {
            while (!await TryLockAsync(connection, cancellationToken).ConfigureAwait(false))
            {
                if (!waited)
                {
                    waited = true;
                    await PostgresSchema.CheckAsync(connection, _journal.Description, _journal.Fresh, cancellationToken).ConfigureAwait(false);
                    onWaiting($"another scheduler{await HolderAsync(connection, cancellationToken).ConfigureAwait(false)} holds the journal {_journal.Description}; "
                        + "standing by to take over when it stops");
                }

                await Task.Delay(Poll, _journal.Clock, cancellationToken).ConfigureAwait(false);
                if (connection.FullState.HasFlag(System.Data.ConnectionState.Broken) || connection.State == System.Data.ConnectionState.Closed)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                    connection = await ReconnectAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            await PostgresSchema.EnsureAsync(connection, _journal.Description, _journal.Fresh, _journal.Clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or JournalException or NpgsqlException)
        {
            // Closing the session frees the lock if it was taken.
            await connection.DisposeAsync().ConfigureAwait(false);
            if (ex is NpgsqlException)
            {
                throw _journal.Unreachable(ex);
            }

            throw;
        }

        _journal.Writer.Start(connection, reason =>
        {
            JournalLog.LeaseLost(_journal.Logger, _journal.Description, reason);
            _lost.Cancel();
        });
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _journal.Writer.StopAsync().ConfigureAwait(false);
        _lost.Dispose();
    }

    private async Task<NpgsqlConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _journal.LeaseSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            throw _journal.Unreachable(ex);
        }
    }

    /// <summary>A standby whose connection broke (the server restarted) keeps trying, saying so once per reason.</summary>
    private async Task<NpgsqlConnection> ReconnectAsync(CancellationToken cancellationToken)
    {
        string? said = null;
        while (true)
        {
            try
            {
                return await _journal.LeaseSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException ex)
            {
                if (!string.Equals(said, ex.Message, StringComparison.Ordinal))
                {
                    said = ex.Message;
                    JournalLog.StandbyReconnecting(_journal.Logger, _journal.Description, ex.Message);
                }

                await Task.Delay(Poll * 2, _journal.Clock, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = LockKey });
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
        }
        catch (NpgsqlException) when (connection.FullState.HasFlag(System.Data.ConnectionState.Broken) || connection.State == System.Data.ConnectionState.Closed)
        {
            // The standby's own connection broke; the loop reopens it.
            return false;
        }
    }

    /// <summary>" (APPLICATION from ADDRESS)" for the session holding the lock, as far as this user may see it.</summary>
    private static async Task<string> HolderAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT a.application_name, host(a.client_addr) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND l.classid::bigint = (($1 >> 32) & 4294967295) AND l.objid::bigint = ($1 & 4294967295) AND l.objsubid = 1
            LIMIT 1
            """,
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = LockKey });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return string.Empty;
        }

        var application = reader.IsDBNull(0) ? string.Empty : reader.GetString(0);
        var address = reader.IsDBNull(1) ? string.Empty : reader.GetString(1);
        return (application.Length, address.Length) switch
        {
            (0, 0) => string.Empty,
            (_, 0) => $" ({application})",
            (0, _) => $" (from {address})",
            _ => $" ({application}, from {address})",
        };
    }
}
