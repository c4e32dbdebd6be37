using FuncExec.Core.Tasks;
using FuncExec.Scheduler.Journal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace FuncExec.Journal.Postgres;

/// <summary>
/// A scheduler journal in a PostgreSQL database (<c>--journal postgres://…</c>), which a second scheduler can share
/// as a standby: see <see cref="PostgresJournalLease"/>.
/// </summary>
/// <remarks>
/// Writes go through the lease's connection (see <see cref="PostgresWriter"/>), so they begin once the lease is
/// held; reads (<see cref="Load"/>, <see cref="ReadResults"/>, <see cref="Stats"/>) use pooled connections of their
/// own. A transaction commits when PostgreSQL has flushed it (its <c>synchronous_commit</c>), so what a client was
/// told survives a crash of the scheduler, and of the database server unless it runs with that setting off.
/// </remarks>
internal sealed class PostgresJournal : ISchedulerJournal
{
    private readonly NpgsqlDataSource _reads;
    private readonly TimeProvider _time;

    private PostgresJournal(NpgsqlConnectionStringBuilder settings, bool fresh, ILoggerFactory loggerFactory, TimeProvider time)
    {
        Description = PostgresUrl.Describe(settings);
        _time = time;
        Fresh = fresh;
        Logger = loggerFactory.CreateLogger("FuncExec.Journal");

        // Npgsql gives up a command that outlives its timeout at once rather than waiting for the server to
        // confirm the cancellation: on a dead network that confirmation never comes.
        settings.CancellationTimeout = -1;
        settings.Timeout = 10;
        settings.TcpKeepAlive = true;
        settings.TcpKeepAliveTime = 2;
        settings.TcpKeepAliveInterval = 1;
        settings.ApplicationName = Truncate($"funcexec scheduler on {Environment.MachineName} pid {Environment.ProcessId}", 63);
        _reads = new NpgsqlDataSourceBuilder(settings.ConnectionString) { Name = "funcexec-journal" }.Build();

        // The lease lives in its connection's session: never pooled, or closing it would keep the lock in the pool.
        var lease = new NpgsqlConnectionStringBuilder(settings.ConnectionString) { Pooling = false };
        LeaseSource = new NpgsqlDataSourceBuilder(lease.ConnectionString) { Name = "funcexec-journal-lease" }.Build();
        Writer = new PostgresWriter(Description, time);
    }

    /// <inheritdoc />
    public string Description { get; }

    internal NpgsqlDataSource LeaseSource { get; }

    internal PostgresWriter Writer { get; }

    internal bool Fresh { get; }

    internal ILogger Logger { get; }

    internal TimeProvider Clock => _time;

    /// <summary>Opens the journal in the database <paramref name="url"/> names, and the lease that guards it.
    /// Nothing is read or locked yet: acquire the lease, then <see cref="Load"/>.</summary>
    /// <param name="url"><c>postgres://USER:PASSWORD@HOST:PORT/DATABASE</c> (or <c>postgresql://</c>), with an optional
    /// <c>?sslmode=MODE</c>. The password may be left out and given in <c>PGPASSWORD</c> or <c>~/.pgpass</c>.</param>
    /// <param name="fresh"><c>--fresh-journal</c>: tables of another schema version are renamed aside and new ones created.</param>
    /// <param name="loggerFactory">Where the lease says why it was lost; none by default.</param>
    /// <param name="time">The clock for record times and the standby's polling; the system's by default.</param>
    /// <exception cref="JournalException">The URL is malformed; the message says which part (and never repeats the password).</exception>
    public static (ISchedulerJournal Journal, IJournalLease Lease) Open(string url, bool fresh = false, ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
    {
        var journal = new PostgresJournal(PostgresUrl.Parse(url), fresh, loggerFactory ?? NullLoggerFactory.Instance, time ?? TimeProvider.System);
        return (journal, new PostgresJournalLease(journal));
    }

    /// <inheritdoc />
    public JournalState Load()
    {
        try
        {
            using var connection = _reads.OpenConnection();
            var next = 1L;
            using (var command = new NpgsqlCommand("SELECT GREATEST(COALESCE((SELECT value::bigint FROM meta WHERE key = 'next_task_id'), 1), COALESCE((SELECT MAX(id) FROM tasks), 0) + 1)", connection))
            {
                next = (long)command.ExecuteScalar()!;
            }

            var clients = new List<JournaledClient>();
            using (var command = new NpgsqlCommand("SELECT token, name, seen_us FROM clients WHERE gone_us IS NULL ORDER BY token", connection))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    clients.Add(new JournaledClient(reader.GetString(0), reader.GetString(1), FromUs(reader.GetInt64(2))));
                }
            }

            var computations = new List<JournaledComputation>();
            using (var command = new NpgsqlCommand("SELECT id, owner, name, exclusive, components FROM computations WHERE closed_us IS NULL ORDER BY id", connection))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    computations.Add(new JournaledComputation(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3) != 0, (byte[])reader[4]));
                }
            }

            var unfinished = new List<JournaledTask>();
            using (var command = new NpgsqlCommand("SELECT id, owner, computation, tag, spec, attempts FROM tasks WHERE finished_us IS NULL ORDER BY id", connection))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    unfinished.Add(new JournaledTask(
                        reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.IsDBNull(4) ? [] : (byte[])reader[4], (int)reader.GetInt64(5)));
                }
            }

            var undelivered = new List<JournaledResult>();
            using (var command = new NpgsqlCommand(
                """
                SELECT t.id, t.report, t.finished_us, t.owner FROM tasks t
                JOIN clients c ON c.token = t.owner AND c.gone_us IS NULL
                WHERE t.finished_us IS NOT NULL AND t.report IS NOT NULL AND t.acked = 0 ORDER BY t.id
                """,
                connection))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    undelivered.Add(new JournaledResult(reader.GetInt64(0), (byte[])reader[1], FromUs(reader.GetInt64(2))) { OwnerToken = reader.GetString(3) });
                }
            }

            return new JournalState(next, clients, computations, unfinished, undelivered);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidCastException)
        {
            throw Unreadable(ex);
        }
    }

    /// <inheritdoc />
    public void Append(JournalBatch batch, Action? committed, bool lead = false) => Writer.Append(batch, committed);

    /// <inheritdoc />
    /// <remarks>Its writer commits everything: a commit waits for the database's flush to its disk, longer than a thread hand-over.</remarks>
    public void LeadCommit()
    {
    }

    /// <inheritdoc />
    public IReadOnlyList<JournaledResult> ReadResults(IReadOnlyList<long> taskIds)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        if (taskIds.Count == 0)
        {
            return [];
        }

        try
        {
            using var connection = _reads.OpenConnection();
            using var command = new NpgsqlCommand("SELECT id, report, finished_us, owner, acked FROM tasks WHERE id = ANY($1) AND report IS NOT NULL ORDER BY id", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = taskIds.ToArray() });
            using var reader = command.ExecuteReader();
            var results = new List<JournaledResult>();
            while (reader.Read())
            {
                results.Add(new JournaledResult(reader.GetInt64(0), (byte[])reader[1], FromUs(reader.GetInt64(2)))
                {
                    OwnerToken = reader.GetString(3),
                    Acknowledged = reader.GetInt64(4) != 0,
                });
            }

            return results;
        }
        catch (NpgsqlException ex)
        {
            throw Unreadable(ex);
        }
    }

    /// <inheritdoc />
    public bool IsPending(long taskId)
    {
        try
        {
            using var connection = _reads.OpenConnection();
            using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM tasks WHERE id = $1 AND finished_us IS NULL)", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = taskId });
            return command.ExecuteScalar() is true;
        }
        catch (NpgsqlException ex)
        {
            throw Unreadable(ex);
        }
    }

    /// <inheritdoc />
    public JournalStats Stats()
    {
        try
        {
            using var connection = _reads.OpenConnection();
            using var command = new NpgsqlCommand(
                """
                SELECT (SELECT COALESCE(SUM(pg_total_relation_size(r)), 0)::bigint
                        FROM unnest(ARRAY['meta', 'clients', 'computations', 'tasks']) AS n, to_regclass(n) AS r WHERE r IS NOT NULL),
                       COUNT(*) FILTER (WHERE finished_us IS NULL),
                       COUNT(*) FILTER (WHERE report IS NOT NULL),
                       MIN(COALESCE(finished_us, submitted_us))
                FROM tasks
                """,
                connection);
            using var reader = command.ExecuteReader();
            reader.Read();
            return new JournalStats(
                Description,
                reader.GetInt64(0),
                reader.GetInt64(1),
                reader.GetInt64(2),
                reader.IsDBNull(3) ? null : FromUs(reader.GetInt64(3)));
        }
        catch (NpgsqlException ex)
        {
            throw Unreadable(ex);
        }
    }

    /// <inheritdoc />
    /// <remarks>Also deletes the reports of clients gone (or forgotten) that finished before <paramref name="before"/>, acknowledged
    /// or not: nothing waits to deliver them, and <c>funcexec result</c> reads them only for the retention time. Closed computations
    /// go too.</remarks>
    public int Purge(DateTimeOffset before)
    {
        var cutoff = UnixTime.ToMicroseconds(before);
        try
        {
            using var connection = _reads.OpenConnection();
            using var transaction = connection.BeginTransaction();
            int deleted;
            using (var results = new NpgsqlCommand(
                """
                DELETE FROM tasks t WHERE t.finished_us < $1 AND t.report IS NOT NULL
                AND (t.acked <> 0 OR NOT EXISTS (SELECT 1 FROM clients c WHERE c.token = t.owner AND c.gone_us IS NULL))
                """,
                connection,
                transaction))
            {
                results.Parameters.Add(new NpgsqlParameter { Value = cutoff });
                deleted = results.ExecuteNonQuery();
            }

            using (var rest = new NpgsqlBatch(connection, transaction))
            {
                rest.BatchCommands.Add(new NpgsqlBatchCommand("DELETE FROM clients WHERE gone_us < $1") { Parameters = { new NpgsqlParameter { Value = cutoff } } });
                rest.BatchCommands.Add(new NpgsqlBatchCommand("DELETE FROM computations WHERE closed_us < $1") { Parameters = { new NpgsqlParameter { Value = cutoff } } });
                rest.ExecuteNonQuery();
            }

            transaction.Commit();
            return deleted;
        }
        catch (NpgsqlException ex)
        {
            throw Unreadable(ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Writer.StopAsync().ConfigureAwait(false);
        await _reads.DisposeAsync().ConfigureAwait(false);
        await LeaseSource.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Why a connection could not be opened, in words that say what to do.</summary>
    internal JournalException Unreachable(Exception ex) => new(
        ex is PostgresException { SqlState: "3D000" }
            ? $"the journal {Description} cannot be opened: the database does not exist; create it (createdb) or name another in --journal"
            : ex is PostgresException { SqlState: "28P01" or "28000" }
                ? $"the journal {Description} cannot be opened: the server refused the user or password ({ex.Message}); check the URL, PGPASSWORD or ~/.pgpass"
                : $"the journal {Description} cannot be opened: {ex.Message}; check that the server runs and the URL names it",
        ex);

    private JournalException Unreadable(Exception ex) =>
        new($"the journal {Description} could not be read or written: {ex.Message}", ex);

    private static DateTimeOffset FromUs(long microseconds) => DateTimeOffset.UnixEpoch.AddTicks(microseconds * 10);

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
