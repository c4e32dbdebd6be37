using System.Diagnostics;
using System.Globalization;
using FuncExec.Core.Telemetry;
using FuncExec.Scheduler.Journal;
using Microsoft.Data.Sqlite;

namespace FuncExec.Journal.Sqlite;

/// <summary>
/// The scheduler's journal in one SQLite file (WAL, <c>synchronous=NORMAL</c>): durable against a crash of the
/// scheduler's process, not against a power loss of its machine (the last commits before one may be lost).
/// </summary>
/// <remarks>
/// One thread at a time holds the write connection: it takes every batch appended since the last commit, applies
/// them in order in one transaction (group commit), commits, and then runs their callbacks in append order. That
/// thread is the one that appended, when it asked to lead (<see cref="LeadCommit"/>) and no commit was under way, so a
/// lone batch (a sequential task's submission, its report) is committed without waking another thread; otherwise
/// the writer thread, which also takes whatever was appended while a commit was under way.
/// Statements are prepared once and reused. Acknowledgements alone wait for the next commit (see
/// <see cref="Append"/>). Reads (<see cref="ReadResults"/>, <see cref="IsPending"/>,
/// <see cref="Stats"/>) use a second connection, which WAL lets read beside the writer.
/// Schema version 1: the tables <c>meta</c>, <c>clients</c>, <c>computations</c>, <c>tasks</c>.
/// </remarks>
internal sealed partial class SqliteJournal : ISchedulerJournal
{
    /// <summary>The schema this build writes and reads.</summary>
    public const string SchemaVersion = "1";

    /// <summary>The marker in the state folder: the journals this scheduler created there, one full path a line.</summary>
    public const string MarkerFileName = "journal.created";

    private static readonly KeyValuePair<string, object?> Store = new(FuncExecMetrics.StoreKey, "sqlite");

    private readonly string _path;
    private readonly JournalOptions _options;
    // Guards the queue; the writer waits on it (Monitor.Wait, which blocks at once: a semaphore's spinning before it
    // blocks took a core's worth of the time the scheduler's other threads needed on a small machine).
    private readonly object _queueLock = new();
    private readonly Lock _readLock = new();
    private List<Pending> _queue = [];
    // The list the next taker swaps in for the queue (the writer's and a leader's groups take turns with it).
    private List<Pending>? _spare = [];
    // Whether a thread holds the write connection for a group (the writer, or a thread leading its own commit); only
    // one does at a time, so groups commit, and their callbacks run, in append order.
    private bool _committing;
    // Whether the queue holds something that must be committed now (not only acknowledgements, which wait for the
    // next commit), and how many acknowledgements wait.
    private bool _urgent;
    private int _lazyRecords;
    private SqliteConnection? _write;
    private SqliteConnection? _read;
    private Thread? _writer;
    private Statements? _statements;
    private Exception? _failure;
    private bool _stopping;
    // Whether the writer thread waits for work (and so takes none until it is woken).
    private bool _writerWaiting;

    public SqliteJournal(string path, JournalOptions options)
    {
        _path = path;
        _options = options;
    }

    public string Description => $"sqlite {_path}";

    /// <summary>The journal's file.</summary>
    public string Path => _path;

    /// <summary>Opens the file (creating it when new), checks its schema, and reads it. Called again, it reads
    /// what is committed so far.</summary>
    public JournalState Load()
    {
        if (_write is not null)
        {
            lock (_readLock)
            {
                return ReadState(_read ?? throw new ObjectDisposedException(nameof(SqliteJournal)));
            }
        }

        try
        {
            return OpenAndLoad();
        }
        catch (SqliteException ex) when (_options.Fresh && IsDamage(ex))
        {
            CloseConnections();
            MoveAside();
            return OpenAndLoad();
        }
        catch (JournalException) when (_options.Fresh && (_damage is not null))
        {
            CloseConnections();
            MoveAside();
            _damage = null;
            return OpenAndLoad();
        }
        catch (SqliteException ex) when (IsDamage(ex))
        {
            CloseConnections();
            throw new JournalException(
                $"the journal {_path} is not a readable SQLite journal ({ex.Message}); to start a new, empty one (moving this file aside), run the scheduler with --fresh-journal",
                ex);
        }
    }

    // Why the file was refused, when a fresh start could fix it: another schema, or missing.
    private string? _damage;

    private JournalState OpenAndLoad()
    {
        var existed = File.Exists(_path);
        if (!existed && WasCreatedHere())
        {
            if (!_options.Fresh)
            {
                _damage = "missing";
                throw new JournalException(
                    $"the journal {_path} is missing, though this scheduler created it (its state folder says so): its tasks and results are lost; "
                    + "restore the file, or run the scheduler with --fresh-journal to start a new, empty one");
            }
        }

        if (System.IO.Path.GetDirectoryName(_path) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        _write = Connect(SqliteOpenMode.ReadWriteCreate);
        Execute(_write, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;");
        var schema = ReadSchema(_write);
        if (schema is null)
        {
            if (HasTables(_write))
            {
                _damage = "schema";
                throw new JournalException(
                    $"the file {_path} is a SQLite database, but not a FuncExec journal; give --journal another path, or run the scheduler with --fresh-journal to move it aside and start a new journal");
            }

            CreateSchema(_write);
        }
        else if (schema != SchemaVersion)
        {
            _damage = "schema";
            throw new JournalException(
                $"the journal {_path} has schema version {schema}; this FuncExec reads version {SchemaVersion}; run the FuncExec that wrote it, "
                + "or run the scheduler with --fresh-journal to move it aside and start a new journal");
        }

        RememberCreated();
        var state = ReadState(_write);
        _read = Connect(SqliteOpenMode.ReadOnly);
        Execute(_read, "PRAGMA busy_timeout=5000;");
        _statements = new Statements(_write);
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "FuncExec journal writer" };
        _writer.Start();
        return state;
    }

    public void Append(JournalBatch batch, Action? committed, bool lead = false)
    {
        ArgumentNullException.ThrowIfNull(batch);
        lock (_queueLock)
        {
            if (_failure is { } failure)
            {
                throw new JournalException($"the journal {_path} failed earlier ({failure.Message}); the scheduler cannot keep what it is given", failure);
            }

            if (_stopping || _statements is null)
            {
                throw new JournalException($"the journal {_path} is closed");
            }

            _queue.Add(new Pending(batch, committed, null));
            if (committed is null && batch.IsAcknowledgementsOnly)
            {
                // Delivery guarantee: an acknowledgement lost in a crash only makes the scheduler post that report
                // again after its restart, and the client drops a report it had (each task id reaches its user once).
                // So it need not cost a commit of its own: it goes with the next one, or once enough wait.
                _lazyRecords += batch.Acknowledged.Count;
                if (_lazyRecords >= LazyAcknowledgements && !_urgent)
                {
                    _urgent = true;
                    WakeWriterLocked(lead);
                }
            }
            else if (!_urgent)
            {
                _urgent = true;
                WakeWriterLocked(lead);
            }
        }
    }

    // The writer is woken unless the appender leads the commit itself (it calls LeadCommit next), or a commit is under
    // way (the thread committing hands on what came meanwhile when it is done).
    private void WakeWriterLocked(bool lead)
    {
        if (!lead && !_committing)
        {
            Monitor.Pulse(_queueLock);
        }
    }

    /// <summary>Whether the writer thread is waiting for work: until it is woken, a thread that leads its own commit
    /// (<see cref="LeadCommit"/>) is the one that commits.</summary>
    internal bool WriterWaiting
    {
        get
        {
            lock (_queueLock)
            {
                return _writerWaiting;
            }
        }
    }

    public void LeadCommit()
    {
        List<Pending> group;
        lock (_queueLock)
        {
            if (_committing || !_urgent || _stopping || _failure is not null)
            {
                // Nothing urgent, or the thread committing now (or the writer, when stopping) takes it.
                return;
            }

            _committing = true;
            group = TakeLocked();
        }

        var written = WriteGroup(group);
        group.Clear();
        lock (_queueLock)
        {
            _committing = false;
            _spare ??= group;
            if (written && (_urgent || _stopping))
            {
                // Appended while this thread committed: the writer takes it, so this caller is not held longer.
                Monitor.Pulse(_queueLock);
            }
        }
    }

    private List<Pending> TakeLocked()
    {
        var group = _queue;
        _queue = _spare ?? [];
        _spare = null;
        _urgent = false;
        _lazyRecords = 0;
        return group;
    }

    /// <summary>Acknowledgements that may wait for the next commit before one is made for them alone: a bound on the
    /// memory they hold and on the reports a crash makes the scheduler post again.</summary>
    internal const int LazyAcknowledgements = 4096;

    public IReadOnlyList<JournaledResult> ReadResults(IReadOnlyList<long> taskIds)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        var results = new List<JournaledResult>();
        lock (_readLock)
        {
            var read = _read ?? throw new InvalidOperationException("load the journal first");
            using var command = read.CreateCommand();
            command.CommandText = "SELECT id, report, finished_us, owner, acked FROM tasks WHERE id = $id AND report IS NOT NULL";
            var id = command.Parameters.Add("$id", SqliteType.Integer);
            foreach (var taskId in taskIds.Distinct())
            {
                id.Value = taskId;
                using var reader = command.ExecuteReader();
                if (reader.Read())
                {
                    results.Add(ResultOf(reader));
                }
            }
        }

        return results;
    }

    public bool IsPending(long taskId)
    {
        lock (_readLock)
        {
            var read = _read ?? throw new InvalidOperationException("load the journal first");
            using var command = read.CreateCommand();
            command.CommandText = "SELECT 1 FROM tasks WHERE id = $id AND finished_us IS NULL";
            command.Parameters.AddWithValue("$id", taskId);
            return command.ExecuteScalar() is not null;
        }
    }

    public JournalStats Stats()
    {
        lock (_readLock)
        {
            var read = _read ?? throw new InvalidOperationException("load the journal first");
            using var command = read.CreateCommand();
            command.CommandText =
                "SELECT (SELECT COUNT(*) FROM tasks WHERE finished_us IS NULL), (SELECT COUNT(*) FROM tasks WHERE report IS NOT NULL), (SELECT MIN(submitted_us) FROM tasks)";
            using var reader = command.ExecuteReader();
            reader.Read();
            var oldest = reader.IsDBNull(2) ? (DateTimeOffset?)null : DateTimeOffset.UnixEpoch.AddTicks(reader.GetInt64(2) * 10);
            return new JournalStats(Description, FileSize(_path) + FileSize(_path + "-wal"), reader.GetInt64(0), reader.GetInt64(1), oldest);
        }
    }

    public int Purge(DateTimeOffset before)
    {
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_queueLock)
        {
            if (_failure is { } failure)
            {
                throw new JournalException($"the journal {_path} failed earlier ({failure.Message})", failure);
            }

            if (_stopping || _statements is null)
            {
                return 0;
            }

            _queue.Add(new Pending(null, null, connection =>
            {
                try
                {
                    done.SetResult(PurgeOn(connection, ToMicroseconds(before)));
                }
                catch (SqliteException ex)
                {
                    done.SetException(new JournalException($"the journal {_path} could not be purged: {ex.Message}", ex));
                    throw;
                }
            }));
            if (!_urgent)
            {
                _urgent = true;
                Monitor.Pulse(_queueLock);
            }
        }

        return done.Task.GetAwaiter().GetResult();
    }

    public async ValueTask DisposeAsync()
    {
        lock (_queueLock)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
            Monitor.Pulse(_queueLock);
        }

        if (_writer is { } writer)
        {
            await Task.Run(writer.Join).ConfigureAwait(false);
        }

        CloseConnections();
    }

    private static bool IsDamage(SqliteException ex) =>
        ex.SqliteErrorCode is 26 /* SQLITE_NOTADB */ or 11 /* SQLITE_CORRUPT */;

    private SqliteConnection Connect(SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = mode,
            Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }

    private void CloseConnections()
    {
        _statements?.Dispose();
        _statements = null;
        lock (_readLock)
        {
            _read?.Dispose();
            _read = null;
        }

        _write?.Dispose();
        _write = null;
    }

    private void MoveAside()
    {
        var stamp = DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        foreach (var suffix in new[] { string.Empty, "-wal", "-shm" })
        {
            if (File.Exists(_path + suffix))
            {
                File.Move(_path + suffix, $"{_path}.bad-{stamp}{suffix}");
            }
        }
    }

    private string? MarkerPath => _options.StateFolder is { } folder ? System.IO.Path.Combine(folder, MarkerFileName) : null;

    private bool WasCreatedHere() =>
        MarkerPath is { } marker && File.Exists(marker) && File.ReadAllLines(marker).Contains(_path, StringComparer.Ordinal);

    private void RememberCreated()
    {
        if (MarkerPath is not { } marker || WasCreatedHere())
        {
            return;
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(marker)!);
        File.AppendAllLines(marker, [_path]);
    }

    private static long FileSize(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    internal static long ToMicroseconds(DateTimeOffset time) => (time - DateTimeOffset.UnixEpoch).Ticks / 10;

    private static DateTimeOffset FromMicroseconds(long us) => DateTimeOffset.UnixEpoch.AddTicks(us * 10);

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string? ReadSchema(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'";
        if (command.ExecuteScalar() is null)
        {
            return null;
        }

        command.CommandText = "SELECT value FROM meta WHERE key = 'schema'";
        return command.ExecuteScalar() as string ?? string.Empty;
    }

    private static bool HasTables(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM sqlite_master";
        return (long)command.ExecuteScalar()! > 0;
    }

    private static void CreateSchema(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
            CREATE TABLE clients(token TEXT PRIMARY KEY, name TEXT, seen_us INTEGER, gone_us INTEGER NULL);
            CREATE TABLE computations(id INTEGER PRIMARY KEY, owner TEXT, name TEXT, exclusive INTEGER, components BLOB, closed_us INTEGER NULL);
            CREATE TABLE tasks(id INTEGER PRIMARY KEY, owner TEXT, computation INTEGER, tag INTEGER, spec BLOB NULL,
                attempts INTEGER, submitted_us INTEGER, report BLOB NULL, finished_us INTEGER NULL, acked INTEGER);
            CREATE INDEX tasks_unfinished ON tasks(id) WHERE finished_us IS NULL;
            INSERT INTO meta(key, value) VALUES ('schema', $schema), ('created', $created);
            """;
        command.Parameters.AddWithValue("$schema", SchemaVersion);
        command.Parameters.AddWithValue("$created", ToMicroseconds(DateTimeOffset.UtcNow).ToString(CultureInfo.InvariantCulture));
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    private static JournalState ReadState(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(id), 0) + 1 FROM tasks";
        var next = (long)command.ExecuteScalar()!;
        command.CommandText = "SELECT value FROM meta WHERE key = 'next_task_id'";
        if (command.ExecuteScalar() is string stored && long.TryParse(stored, CultureInfo.InvariantCulture, out var kept))
        {
            next = Math.Max(next, kept);
        }

        var clients = new List<JournaledClient>();
        command.CommandText = "SELECT token, name, seen_us FROM clients WHERE gone_us IS NULL ORDER BY token";
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                clients.Add(new JournaledClient(reader.GetString(0), reader.IsDBNull(1) ? string.Empty : reader.GetString(1), FromMicroseconds(reader.GetInt64(2))));
            }
        }

        var computations = new List<JournaledComputation>();
        command.CommandText = "SELECT id, owner, name, exclusive, components FROM computations WHERE closed_us IS NULL ORDER BY rowid";
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                computations.Add(new JournaledComputation(
                    reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3) != 0, reader.IsDBNull(4) ? [] : (byte[])reader[4]));
            }
        }

        var unfinished = new List<JournaledTask>();
        command.CommandText = "SELECT id, owner, computation, tag, spec, attempts FROM tasks WHERE finished_us IS NULL ORDER BY id";
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                unfinished.Add(new JournaledTask(
                    reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.IsDBNull(4) ? [] : (byte[])reader[4], (int)reader.GetInt64(5)));
            }
        }

        var undelivered = new List<JournaledResult>();
        command.CommandText = """
            SELECT t.id, t.report, t.finished_us, t.owner, t.acked FROM tasks t JOIN clients c ON c.token = t.owner
            WHERE t.report IS NOT NULL AND t.acked = 0 AND c.gone_us IS NULL ORDER BY t.id
            """;
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                undelivered.Add(ResultOf(reader));
            }
        }

        return new JournalState(next, clients, computations, unfinished, undelivered);
    }

    private static JournaledResult ResultOf(SqliteDataReader reader) =>
        new(reader.GetInt64(0), (byte[])reader[1], FromMicroseconds(reader.GetInt64(2)))
        {
            OwnerToken = reader.GetString(3),
            Acknowledged = reader.GetInt64(4) != 0,
        };

    private static int PurgeOn(SqliteConnection connection, long beforeUs)
    {
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.Parameters.AddWithValue("$before", beforeUs);
        // Ids are never reused: remember the largest before the rows that hold it may go.
        command.CommandText = """
            INSERT INTO meta(key, value) SELECT 'next_task_id', CAST(MAX(id) + 1 AS TEXT) FROM tasks WHERE id IS NOT NULL
                AND (SELECT COUNT(*) FROM tasks) > 0
            ON CONFLICT(key) DO UPDATE SET value = CAST(MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER)) AS TEXT)
            """;
        command.ExecuteNonQuery();
        command.CommandText = """
            DELETE FROM tasks WHERE report IS NOT NULL AND finished_us < $before
                AND (acked = 1 OR owner NOT IN (SELECT token FROM clients WHERE gone_us IS NULL))
            """;
        var deleted = command.ExecuteNonQuery();
        command.CommandText = "DELETE FROM computations WHERE closed_us IS NOT NULL AND closed_us < $before";
        command.ExecuteNonQuery();
        command.CommandText = "DELETE FROM clients WHERE gone_us IS NOT NULL AND gone_us < $before";
        command.ExecuteNonQuery();
        transaction.Commit();
        return deleted;
    }

    private void WriteLoop()
    {
        while (true)
        {
            bool stopping;
            List<Pending> group;
            lock (_queueLock)
            {
                // Acknowledgements alone wait for something that must be committed (or for the end: the last
                // group, written when stopping, holds them). A thread leading its own commit finishes first.
                while (_committing || (!_urgent && !_stopping))
                {
                    _writerWaiting = true;
                    Monitor.Wait(_queueLock);
                    _writerWaiting = false;
                }

                if (_failure is not null)
                {
                    return;
                }

                _committing = true;
                group = TakeLocked();
                stopping = _stopping;
            }

            var written = group.Count == 0 || WriteGroup(group);
            group.Clear();
            lock (_queueLock)
            {
                _committing = false;
                _spare ??= group;
                // Stopping, the loop above takes what came meanwhile without waiting.
                if (!written || (stopping && _queue.Count == 0))
                {
                    return;
                }
            }
        }
    }

    /// <summary>Applies a group of batches in one transaction and runs their callbacks; false when the journal failed.</summary>
    private bool WriteGroup(List<Pending> group)
    {
        var statements = _statements!;
        try
        {
            var hasRecords = false;
            foreach (var pending in group)
            {
                hasRecords |= pending.Batch is { IsEmpty: false };
            }

            if (hasRecords)
            {
                var started = Stopwatch.GetTimestamp();
                statements.Begin();
                foreach (var pending in group)
                {
                    if (pending.Batch is { IsEmpty: false } batch)
                    {
                        statements.Apply(batch, ToMicroseconds(DateTimeOffset.UtcNow));
                    }
                }

                statements.Commit();
                FuncExecMetrics.JournalWrites.Add(1, Store);
                FuncExecMetrics.JournalWriteDuration.Record(FuncExecMetrics.SecondsSince(started), Store);
            }

            foreach (var pending in group)
            {
                // A job (purge) runs in its own transaction, after the batches before it are durable.
                pending.Job?.Invoke(_write!);
                pending.Committed?.Invoke();
            }

            return true;
        }
        catch (SqliteException ex)
        {
            statements.Rollback();
            lock (_queueLock)
            {
                _failure = ex;
            }

            JournalFailed?.Invoke(new JournalException($"the journal {_path} could not be written: {ex.Message}", ex));
            return false;
        }
    }

    /// <summary>Called once, on the writer's thread, when a write failed: the scheduler can no longer promise durability.</summary>
    public Action<JournalException>? JournalFailed { get; set; }

    private sealed record Pending(JournalBatch? Batch, Action? Committed, Action<SqliteConnection>? Job);
}
