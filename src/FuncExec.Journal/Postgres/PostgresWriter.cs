using System.Diagnostics;
using FuncExec.Core.Tasks;
using FuncExec.Core.Telemetry;
using FuncExec.Scheduler.Journal;
using Npgsql;
using NpgsqlTypes;

namespace FuncExec.Journal.Postgres;

/// <summary>
/// The journal's one writer: a thread that commits everything appended since its last commit in one transaction,
/// then runs the callbacks of those appends in order. It writes through the connection that holds the lease, so a
/// scheduler whose lease is gone cannot write another word: its standby may already be reading the journal.
/// </summary>
/// <remarks>
/// While idle it asks the server <c>SELECT 1</c> every second with a short timeout, so a connection that died
/// (the server restarted, the session was terminated, the network is gone) is found within a few seconds even
/// when nothing is written; a failed write or check ends the writer and reports the lease lost.
/// </remarks>
internal sealed class PostgresWriter
{
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(1);
    private static readonly KeyValuePair<string, object?> Store = new(FuncExecMetrics.StoreKey, "postgres");
    private const int CheckTimeoutSeconds = 3;

    private readonly object _gate = new();
    private readonly string _description;
    private readonly TimeProvider _time;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private List<(JournalBatch Batch, Action? Committed)> _queue = [];
    private NpgsqlConnection? _connection;
    private Action<string>? _lost;
    private Exception? _failure;
    private bool _stopping;
    private bool _started;

    public PostgresWriter(string description, TimeProvider time)
    {
        _description = description;
        _time = time;
    }

    /// <summary>The server process id of the connection it writes through (0 before the lease is held); for tests that end that session.</summary>
    public int BackendProcessId { get; private set; }

    /// <summary>Queues a batch. Writes begin once the lease is held.</summary>
    /// <exception cref="JournalException">The writer failed, or the journal was closed.</exception>
    public void Append(JournalBatch batch, Action? committed)
    {
        ArgumentNullException.ThrowIfNull(batch);
        lock (_gate)
        {
            if (_failure is not null)
            {
                throw new JournalException($"the journal {_description} cannot be written: {_failure.Message}; nothing more is accepted as durable", _failure);
            }

            if (_stopping)
            {
                throw new JournalException($"the journal {_description} is closed");
            }

            _queue.Add((batch, committed));
            if (_queue.Count == 1)
            {
                Monitor.Pulse(_gate);
            }
        }
    }

    /// <summary>Starts writing through <paramref name="connection"/>, which holds the lease and is the writer's from now on.
    /// <paramref name="lost"/> runs once, with the reason, if it fails.</summary>
    public void Start(NpgsqlConnection connection, Action<string> lost)
    {
        lock (_gate)
        {
            if (_started)
            {
                throw new InvalidOperationException("the journal writer is already running");
            }

            _started = true;
            _connection = connection;
            _lost = lost;
            BackendProcessId = connection.ProcessID;
        }

        var thread = new Thread(Run) { IsBackground = true, Name = "funcexec journal writer" };
        thread.Start();
    }

    /// <summary>Commits what is queued, stops, and closes the connection (which releases the lease).</summary>
    public async Task StopAsync()
    {
        bool started;
        lock (_gate)
        {
            _stopping = true;
            started = _started;
            Monitor.Pulse(_gate);
        }

        if (started)
        {
            await _ended.Task.ConfigureAwait(false);
        }
    }

    private void Run()
    {
        var connection = _connection!;
        try
        {
            while (true)
            {
                List<(JournalBatch Batch, Action? Committed)> taken;
                lock (_gate)
                {
                    if (_queue.Count == 0 && !_stopping)
                    {
                        Monitor.Wait(_gate, IdleCheck);
                    }

                    taken = _queue;
                    _queue = [];
                    if (taken.Count == 0 && _stopping)
                    {
                        break;
                    }
                }

                if (taken.Count == 0)
                {
                    Check(connection);
                    continue;
                }

                var group = new JournalGroup();
                foreach (var (batch, _) in taken)
                {
                    group.Add(batch);
                }

                if (!group.IsEmpty)
                {
                    var started = Stopwatch.GetTimestamp();
                    Write(connection, group);
                    FuncExecMetrics.JournalWrites.Add(1, Store);
                    FuncExecMetrics.JournalWriteDuration.Record(FuncExecMetrics.SecondsSince(started), Store);
                }

                // The delivery guarantee: a submission is acknowledged, and a report handed to its client, only
                // from here, after the transaction holding it committed.
                foreach (var (_, committed) in taken)
                {
                    committed?.Invoke();
                }
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or InvalidOperationException or TimeoutException)
        {
            Fail(ex);
        }
        finally
        {
            connection.Dispose();
            _ended.TrySetResult();
        }
    }

    private void Fail(Exception ex)
    {
        Action<string>? lost;
        lock (_gate)
        {
            _failure = ex;
            lost = _lost;
            _queue.Clear();
        }

        lost?.Invoke(ex.Message);
    }

    private static void Check(NpgsqlConnection connection)
    {
        using var command = new NpgsqlCommand("SELECT 1", connection) { CommandTimeout = CheckTimeoutSeconds };
        command.ExecuteScalar();
    }

    private void Write(NpgsqlConnection connection, JournalGroup group)
    {
        var now = UnixTime.ToMicroseconds(_time.GetUtcNow());
        using var transaction = connection.BeginTransaction();
        using var batch = new NpgsqlBatch(connection, transaction);
        if (group.Clients.Count > 0)
        {
            var clients = group.Clients.Values;
            batch.BatchCommands.Add(Command(
                """
                INSERT INTO clients(token, name, seen_us, gone_us)
                SELECT u.token, u.name, u.seen, NULL FROM unnest($1::text[], $2::text[], $3::bigint[]) AS u(token, name, seen)
                ON CONFLICT (token) DO UPDATE SET name = excluded.name, seen_us = excluded.seen_us, gone_us = NULL
                """,
                clients.Select(c => c.Token).ToArray(),
                clients.Select(c => c.Name).ToArray(),
                clients.Select(c => UnixTime.ToMicroseconds(c.Seen)).ToArray()));
        }

        if (group.Computations.Count > 0)
        {
            var computations = group.Computations;
            batch.BatchCommands.Add(Command(
                """
                INSERT INTO computations(id, owner, name, exclusive, components, closed_us)
                SELECT u.id, u.owner, u.name, u.exclusive, u.components, NULL
                FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bytea[]) AS u(id, owner, name, exclusive, components)
                ON CONFLICT (id) DO NOTHING
                """,
                computations.Select(c => c.Id).ToArray(),
                computations.Select(c => c.OwnerToken).ToArray(),
                computations.Select(c => c.Name).ToArray(),
                computations.Select(c => c.Exclusive ? 1L : 0L).ToArray(),
                Bytes(computations.Select(c => c.Components).ToArray())));
        }

        if (group.Submitted.Count > 0)
        {
            Copy(connection, group.Submitted, now);
            batch.BatchCommands.Add(Command(
                """
                INSERT INTO meta(key, value) VALUES ('next_task_id', $1::bigint::text)
                ON CONFLICT (key) DO UPDATE SET value = GREATEST(meta.value::bigint, excluded.value::bigint)::text
                """,
                group.HighestTaskId + 1));
        }

        if (group.Started.Count > 0)
        {
            batch.BatchCommands.Add(Command(
                """
                UPDATE tasks t SET attempts = GREATEST(t.attempts, u.attempt)
                FROM unnest($1::bigint[], $2::bigint[]) AS u(id, attempt) WHERE t.id = u.id
                """,
                group.Started.Keys.ToArray(),
                group.Started.Values.Select(a => (long)a).ToArray()));
        }

        if (group.Finished.Count > 0)
        {
            var results = group.Finished.Values;
            batch.BatchCommands.Add(Command(
                """
                UPDATE tasks t SET report = u.report, finished_us = u.finished, spec = NULL
                FROM unnest($1::bigint[], $2::bytea[], $3::bigint[]) AS u(id, report, finished) WHERE t.id = u.id
                """,
                results.Select(r => r.TaskId).ToArray(),
                Bytes(results.Select(r => r.Report).ToArray()),
                results.Select(r => UnixTime.ToMicroseconds(r.Finished)).ToArray()));
        }

        if (group.Acknowledged.Count > 0)
        {
            batch.BatchCommands.Add(Command("UPDATE tasks SET acked = 1 WHERE id = ANY($1) AND report IS NOT NULL", group.Acknowledged.ToArray()));
        }

        if (group.ClosedComputations.Count > 0)
        {
            batch.BatchCommands.Add(Command("UPDATE computations SET closed_us = $2 WHERE id = ANY($1) AND closed_us IS NULL", group.ClosedComputations.ToArray(), now));
        }

        if (group.GoneClients.Count > 0)
        {
            batch.BatchCommands.Add(Command("UPDATE clients SET gone_us = $2 WHERE token = ANY($1) AND gone_us IS NULL", group.GoneClients.ToArray(), now));
        }

        batch.ExecuteNonQuery();
        transaction.Commit();
    }

    private static void Copy(NpgsqlConnection connection, List<JournaledTask> tasks, long now)
    {
        using var import = connection.BeginBinaryImport("COPY tasks (id, owner, computation, tag, spec, attempts, submitted_us, acked) FROM STDIN (FORMAT BINARY)");
        foreach (var task in tasks)
        {
            import.StartRow();
            import.Write(task.Id, NpgsqlDbType.Bigint);
            import.Write(task.OwnerToken, NpgsqlDbType.Text);
            import.Write(task.Computation, NpgsqlDbType.Bigint);
            import.Write(task.Tag, NpgsqlDbType.Bigint);
            import.Write(task.Spec, NpgsqlDbType.Bytea);
            import.Write((long)task.Attempts, NpgsqlDbType.Bigint);
            import.Write(now, NpgsqlDbType.Bigint);
            import.Write(0L, NpgsqlDbType.Bigint);
        }

        import.Complete();
    }

    private static NpgsqlParameter Bytes(byte[][] values) => new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea };

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value });
        }

        return command;
    }
}
