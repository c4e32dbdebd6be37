using System.Diagnostics;
using System.Globalization;
using FuncExec.Core.Telemetry;
using FuncExec.Scheduler.Journal;
using Microsoft.Data.Sqlite;
using Microsoft.Win32.SafeHandles;

namespace FuncExec.Journal.Sqlite;

/// <summary>
/// The scheduler's journal in one SQLite file (WAL, <c>synchronous=NORMAL</c>) and a record log beside it
/// (<c>journal.db-log</c>): durable against a crash of the scheduler's process, not against a power loss of its machine
/// (the last commits before one may be lost).
/// </summary>
/// <remarks>
/// <para>A commit is one write to the end of the record log (<see cref="JournalLogFrames"/>): one thread at a time takes
/// every batch appended since the last commit, writes them as one frame, and then runs their callbacks in append order.
/// That thread is the one that appended, when it asked to lead (<see cref="LeadCommit"/>) and no commit was under way, so
/// a lone batch (a sequential task's submission, its report) is committed without waking another thread; otherwise the
/// writer thread, which also takes whatever was appended while a commit was under way. Acknowledgements alone wait for
/// the next commit (see <see cref="Append"/>).</para>
/// <para>The applier thread applies the logged batches to the database in the background, many commits in one
/// transaction, and records in it the last frame applied; once the log is large it applies the rest, commits held a
/// moment, and empties it. So
/// a task costs the scheduler's hot path one write, and the database's B-tree updates are paid once for many tasks.
/// Opening the journal applies the frames the database does not hold yet, in order (a frame whose write never finished
/// because its process died in it was never acknowledged, and is dropped). Reads (<see cref="ReadResults"/>,
/// <see cref="IsPending"/>, <see cref="Stats"/>) first wait until everything committed before them is applied, then use
/// a second connection, which WAL lets read beside the applier. Statements are prepared once and reused.</para>
/// <para>Schema version 1: the tables <c>meta</c>, <c>clients</c>, <c>computations</c>, <c>tasks</c>; <c>meta</c>'s
/// <c>log_applied</c> is the sequence number of the last log frame applied.</para>
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

    // The record log, written only by the thread that holds _committing: where the next frame goes, the last frame's
    // sequence number, and the buffer frames are built in.
    private SafeFileHandle? _log;
    private long _logOffset;
    private long _lastSequence;
    private readonly JournalFrameBuffer _frame = new();

    // The applier's side, guarded by _applyLock: frames logged and not yet applied, in order; the records they hold;
    // the last sequence logged and applied; jobs for the database (purges); and why the applier should not wait.
    private readonly object _applyLock = new();
    private List<Logged> _unapplied = [];
    private int _unappliedRecords;
    private long _unappliedBytes;
    private long _loggedSequence;
    private long _appliedSequence;
    private List<DatabaseJob> _jobs = [];
    private bool _applyNow;
    private bool _applierIdle;
    private bool _applierStopping;
    private bool _applierEnded;
    private Thread? _applier;

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
            WaitApplied();
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
        // A page cache of 16 MiB: the applier rewrites recent rows (a report, then its acknowledgement) across transactions.
        Execute(_write, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA cache_size=-16384;");
        var schema = ReadSchema(_write);
        var created = schema is null;
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
        _statements = new Statements(_write);
        // A log left beside a database made just now belongs to another one (a database deleted by hand): not replayed.
        ReplayLog(discard: created);
        var state = ReadState(_write);
        _read = Connect(SqliteOpenMode.ReadOnly);
        Execute(_read, "PRAGMA busy_timeout=5000;");
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "FuncExec journal writer" };
        _writer.Start();
        _applier = new Thread(ApplyLoop) { IsBackground = true, Name = "FuncExec journal applier" };
        _applier.Start();
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

            _queue.Add(new Pending(batch, committed));
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

    /// <summary>The file beside the database that holds committed records not yet applied to it.</summary>
    internal const string LogSuffix = "-log";

    /// <summary>How long the applier gathers commits into one transaction, unless enough records or a reader wait: the
    /// lag of the database behind the log, which a crash makes the next open replay. The longer, the more of a short
    /// task's records (submitted, started, reported, acknowledged) become one row insert.</summary>
    internal static readonly TimeSpan ApplyDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>Records, or bytes of log frames, that make the applier apply at once.</summary>
    internal const int ApplyBatchRecords = 65_536;

    /// <inheritdoc cref="ApplyBatchRecords"/>
    internal const long ApplyBatchBytes = 16L * 1024 * 1024;

    /// <summary>Records, or bytes of log frames, logged and not yet applied past which committing waits for the applier:
    /// a bound on the memory the batches keep while the database falls behind.</summary>
    internal const int MaxUnappliedRecords = 262_144;

    /// <inheritdoc cref="MaxUnappliedRecords"/>
    internal const long MaxUnappliedBytes = 64L * 1024 * 1024;

    /// <summary>The log's size past which the applier empties it, applying first what it holds beyond the database (at a
    /// clean stop it is always emptied).</summary>
    internal const long LogLimit = 16L * 1024 * 1024;

    private string LogPath => _path + LogSuffix;

    public IReadOnlyList<JournaledResult> ReadResults(IReadOnlyList<long> taskIds)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        var results = new List<JournaledResult>();
        WaitApplied();
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
        WaitApplied();
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
        WaitApplied();
        lock (_readLock)
        {
            var read = _read ?? throw new InvalidOperationException("load the journal first");
            using var command = read.CreateCommand();
            command.CommandText =
                "SELECT (SELECT COUNT(*) FROM tasks WHERE finished_us IS NULL), (SELECT COUNT(*) FROM tasks WHERE report IS NOT NULL), (SELECT MIN(submitted_us) FROM tasks)";
            using var reader = command.ExecuteReader();
            reader.Read();
            var oldest = reader.IsDBNull(2) ? (DateTimeOffset?)null : DateTimeOffset.UnixEpoch.AddTicks(reader.GetInt64(2) * 10);
            return new JournalStats(Description, FileSize(_path) + FileSize(_path + "-wal") + FileSize(LogPath), reader.GetInt64(0), reader.GetInt64(1), oldest);
        }
    }

    public int Purge(DateTimeOffset before)
    {
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

        }

        // What was appended before, acknowledgements waiting for a commit among them, is committed first: so they wait a
        // purge's interval at most.
        var logged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Append(new JournalBatch(), logged.SetResult);
        logged.Task.GetAwaiter().GetResult();

        // On the applier's thread, which alone uses the write connection, after what is logged so far is applied.
        var job = new DatabaseJob(connection => PurgeOn(connection, ToMicroseconds(before)));
        lock (_applyLock)
        {
            if (_applierEnded)
            {
                return 0;
            }

            _jobs.Add(job);
            _applyNow = true;
            Monitor.PulseAll(_applyLock);
        }

        return job.Done.Task.GetAwaiter().GetResult();
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

        // Everything is logged: the applier applies the rest and ends, and a clean stop leaves the log empty.
        lock (_applyLock)
        {
            _applierStopping = true;
            Monitor.PulseAll(_applyLock);
        }

        if (_applier is { } applier)
        {
            await Task.Run(applier.Join).ConfigureAwait(false);
            EmptyLog();
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
        _log?.Dispose();
        _log = null;
    }

    private void MoveAside()
    {
        var stamp = DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        foreach (var suffix in new[] { string.Empty, "-wal", "-shm", LogSuffix })
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

    internal static DateTimeOffset FromMicroseconds(long us) => DateTimeOffset.UnixEpoch.AddTicks(us * 10);

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

    /// <summary>Writes a group of batches to the log as one frame and runs their callbacks; false when the journal failed.</summary>
    private bool WriteGroup(List<Pending> group)
    {
        try
        {
            List<JournalBatch>? batches = null;
            var records = 0;
            foreach (var pending in group)
            {
                if (pending.Batch is { IsEmpty: false } batch)
                {
                    (batches ??= new List<JournalBatch>(group.Count)).Add(batch);
                    records += JournalLogFrames.Records(batch);
                }
            }

            if (batches is not null)
            {
                var started = Stopwatch.GetTimestamp();
                var sequence = _lastSequence + 1;
                var nowUs = ToMicroseconds(DateTimeOffset.UtcNow);
                int length;
                try
                {
                    JournalLogFrames.Write(_frame, sequence, nowUs, batches);
                    RandomAccess.Write(_log!, _frame.Segments(), _logOffset);
                    length = (int)_frame.Length; // At most 2 GiB: JournalLogFrames.Write refuses more.
                }
                finally
                {
                    // Empty for the next frame, whether or not this one was written; one large submission does not keep
                    // its chunks for the rest of the run.
                    _frame.Reset();
                }

                Volatile.Write(ref _logOffset, _logOffset + length);
                _lastSequence = sequence;
                var logged = new Logged(sequence, nowUs, batches, records, length);

                FuncExecMetrics.JournalWrites.Add(1, Store);
                FuncExecMetrics.JournalWriteDuration.Record(FuncExecMetrics.SecondsSince(started), Store);
                HandToApplier(logged);
            }

            foreach (var pending in group)
            {
                pending.Committed?.Invoke();
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Fail(ex, $"the journal {_path} could not be written: its record log {LogPath} failed ({ex.Message})");
            return false;
        }
    }

    /// <summary>Hands a logged frame's batches to the applier; holds the committing thread while the applier is too far
    /// behind (a bound on the memory they keep).</summary>
    private void HandToApplier(Logged logged)
    {
        lock (_applyLock)
        {
            _unapplied.Add(logged);
            _unappliedRecords += logged.Records;
            _unappliedBytes += logged.Bytes;
            _loggedSequence = logged.Sequence;
            var enough = _unappliedRecords >= ApplyBatchRecords || _unappliedBytes >= ApplyBatchBytes;
            if (_applierIdle || (!_applyNow && enough))
            {
                _applyNow |= enough;
                Monitor.PulseAll(_applyLock);
            }

            while ((_unappliedRecords > MaxUnappliedRecords || _unappliedBytes > MaxUnappliedBytes) && !_applierEnded)
            {
                _applyNow = true;
                Monitor.PulseAll(_applyLock);
                Monitor.Wait(_applyLock);
            }
        }
    }

    /// <summary>Waits until everything committed so far is applied to the database, so a read sees it.</summary>
    /// <exception cref="JournalException">The journal failed: what was committed may never reach the database.</exception>
    private void WaitApplied()
    {
        lock (_applyLock)
        {
            var target = _loggedSequence;
            while (_appliedSequence < target)
            {
                if (_applierEnded)
                {
                    throw new JournalException($"the journal {_path} failed earlier ({_failure?.Message ?? "its applier stopped"}); what it holds cannot be read", _failure);
                }

                _applyNow = true;
                Monitor.PulseAll(_applyLock);
                Monitor.Wait(_applyLock);
            }
        }
    }

    private void ApplyLoop()
    {
        while (true)
        {
            List<Logged> take;
            List<DatabaseJob> jobs;
            lock (_applyLock)
            {
                while (_unapplied.Count == 0 && _jobs.Count == 0 && !_applierStopping)
                {
                    _applierIdle = true;
                    Monitor.Wait(_applyLock);
                    _applierIdle = false;
                }

                if (_unapplied.Count == 0 && _jobs.Count == 0)
                {
                    _applierEnded = true;
                    Monitor.PulseAll(_applyLock);
                    return;
                }

                // Gathers the commits of a moment into one transaction, unless a reader, a job or a full queue waits.
                var deadline = Stopwatch.GetTimestamp() + (long)(ApplyDelay.TotalSeconds * Stopwatch.Frequency);
                while (!_applyNow && !_applierStopping && _jobs.Count == 0)
                {
                    var left = deadline - Stopwatch.GetTimestamp();
                    if (left <= 0)
                    {
                        break;
                    }

                    Monitor.Wait(_applyLock, TimeSpan.FromSeconds((double)left / Stopwatch.Frequency));
                }

                take = _unapplied;
                _unapplied = [];
                jobs = _jobs;
                _jobs = [];
                _applyNow = false;
            }

            try
            {
                ApplyTaken(take);
                foreach (var job in jobs)
                {
                    job.Run(_write!);
                }

                if (Volatile.Read(ref _logOffset) >= LogLimit)
                {
                    EmptyLog();
                }
            }
            catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
            {
                _statements!.Rollback();
                Fail(ex, $"the journal {_path} could not be written: {ex.Message}");
                lock (_applyLock)
                {
                    foreach (var job in jobs.Concat(_jobs))
                    {
                        job.Done.TrySetException(new JournalException($"the journal {_path} failed ({ex.Message})", ex));
                    }

                    _jobs.Clear();
                    _applierEnded = true;
                    Monitor.PulseAll(_applyLock);
                }

                return;
            }
        }
    }

    /// <summary>Applies frames taken from the unapplied list, then counts them applied and wakes whoever waits for that
    /// (readers, and commits held by the bound).</summary>
    private void ApplyTaken(List<Logged> frames)
    {
        if (frames.Count == 0)
        {
            return;
        }

        Apply(frames);
        lock (_applyLock)
        {
            _appliedSequence = frames[^1].Sequence;
            foreach (var frame in frames)
            {
                _unappliedRecords -= frame.Records;
                _unappliedBytes -= frame.Bytes;
            }

            Monitor.PulseAll(_applyLock);
        }
    }

    /// <summary>Applies logged frames in one transaction, skipping any the database already holds (applied by an
    /// earlier opener of the same files), and records the last one applied.</summary>
    private void Apply(List<Logged> frames)
    {
        var statements = _statements!;
        statements.Begin();
        var applied = statements.AppliedSequence();
        var from = frames.FindIndex(frame => frame.Sequence > applied);
        if (from >= 0)
        {
            statements.Apply(frames.Skip(from).SelectMany(frame => frame.Batches.Select(batch => (frame.NowUs, batch))));
            applied = frames[^1].Sequence;
        }

        statements.SetAppliedSequence(applied);
        statements.Commit();
    }

    /// <summary>Empties the log, applying first what it holds beyond the database; committing waits meanwhile (one
    /// small transaction, as commits keep coming while the applier applies, so the log is seldom wholly applied by
    /// itself). On the applier's thread, or once it has ended.</summary>
    private void EmptyLog()
    {
        lock (_queueLock)
        {
            if (_committing || _failure is not null || _log is null)
            {
                return;
            }

            _committing = true;
        }

        try
        {
            List<Logged> rest;
            lock (_applyLock)
            {
                rest = _unapplied;
                _unapplied = [];
            }

            ApplyTaken(rest);
            if (_logOffset > 0)
            {
                RandomAccess.SetLength(_log, 0);
                Volatile.Write(ref _logOffset, 0);
            }
        }
        finally
        {
            lock (_queueLock)
            {
                _committing = false;
                if (_urgent || _stopping)
                {
                    Monitor.Pulse(_queueLock);
                }
            }
        }
    }

    /// <summary>At open: applies the log's frames the database does not hold yet, in one transaction, and empties it.</summary>
    private void ReplayLog(bool discard)
    {
        _log = File.OpenHandle(LogPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        var statements = _statements!;
        var applied = statements.AppliedSequence();
        _lastSequence = applied;
        var length = RandomAccess.GetLength(_log);
        if (length > 0 && !discard)
        {
            if (length > Array.MaxLength)
            {
                throw new JournalException($"the journal's record log {LogPath} is {length} bytes, more than this FuncExec reads; move it aside with --fresh-journal");
            }

            var bytes = new byte[length];
            var read = 0;
            while (read < bytes.Length && RandomAccess.Read(_log, bytes.AsSpan(read), read) is var n and > 0)
            {
                read += n;
            }

            var frames = new List<Logged>();
            var offset = 0;
            while (JournalLogFrames.TryRead(bytes.AsSpan(offset, read - offset), out var frameLength, out var sequence, out var nowUs, out var batches))
            {
                offset += frameLength;
                if (sequence > _lastSequence)
                {
                    frames.Add(new Logged(sequence, nowUs, batches, batches.Sum(JournalLogFrames.Records), frameLength));
                    _lastSequence = sequence;
                }
            }

            // What follows the last intact frame is a write its process died in: nobody was told it was committed.
            if (frames.Count > 0)
            {
                Apply(frames);
            }
        }

        RandomAccess.SetLength(_log, 0);
        _logOffset = 0;
        _loggedSequence = _appliedSequence = _lastSequence;
    }

    private void Fail(Exception ex, string message)
    {
        lock (_queueLock)
        {
            if (_failure is not null)
            {
                return;
            }

            _failure = ex;
        }

        lock (_applyLock)
        {
            Monitor.PulseAll(_applyLock);
        }

        JournalFailed?.Invoke(new JournalException(message, ex));
    }

    /// <summary>Called once, on the thread that met it, when a write to the log or the database failed: the scheduler can no
    /// longer promise durability.</summary>
    public Action<JournalException>? JournalFailed { get; set; }

    private sealed record Pending(JournalBatch? Batch, Action? Committed);

    /// <summary>Batches written to the log as one frame, waiting to be applied to the database.</summary>
    private sealed record Logged(long Sequence, long NowUs, List<JournalBatch> Batches, int Records, int Bytes);

    /// <summary>Work on the database (a purge), run by the applier after what was logged before it is applied.</summary>
    private sealed class DatabaseJob(Func<SqliteConnection, int> work)
    {
        public TaskCompletionSource<int> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Run(SqliteConnection connection)
        {
            try
            {
                Done.SetResult(work(connection));
            }
            catch (SqliteException ex)
            {
                Done.SetException(new JournalException($"the journal could not be purged: {ex.Message}", ex));
                throw;
            }
        }
    }
}
