using FuncExec.Scheduler.Journal;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace FuncExec.Journal.Sqlite;

internal sealed partial class SqliteJournal
{
    /// <summary>A task submitted in the batches being applied, in its state after the records read so far.</summary>
    private sealed class TaskRow(JournaledTask task, long submittedUs)
    {
        public JournaledTask Task { get; } = task;

        public long SubmittedUs { get; } = submittedUs;

        public int Attempts { get; set; } = task.Attempts;

        public byte[]? Report { get; set; }

        public long FinishedUs { get; set; }

        public bool Acknowledged { get; set; }
    }

    /// <summary>The applier's statements, prepared once on the write connection and reused for every transaction.</summary>
    /// <remarks>Run through SQLite's own interface (<see cref="raw"/>) on the connection's handle, with values bound by
    /// position: a <see cref="SqliteCommand"/> looks each parameter up by name and splits its text into statements again
    /// on every execution, which cost the writer more than SQLite's own work for the small rows of a task.</remarks>
    private sealed class Statements : IDisposable
    {
        private const int Done = 101; // SQLITE_DONE
        private const int Row = 100; // SQLITE_ROW

        // Task rows go this many to an INSERT: each run of a statement opens and closes its cursors and is reset and unbound,
        // through several calls into SQLite, which for the small rows of short tasks is a good part of the row's own cost.
        private const int RowsPerInsert = 32;
        private const int TaskColumns = 10;

        private readonly sqlite3 _db;
        private readonly List<sqlite3_stmt> _all = [];
        private readonly sqlite3_stmt _begin;
        private readonly sqlite3_stmt _commit;
        private readonly sqlite3_stmt _rollback;
        private readonly sqlite3_stmt _client;
        private readonly sqlite3_stmt _computation;
        private readonly sqlite3_stmt _task;
        private readonly sqlite3_stmt _tasks;
        private readonly sqlite3_stmt _started;
        private readonly sqlite3_stmt _finished;
        private readonly sqlite3_stmt _acked;
        private readonly sqlite3_stmt _closed;
        private readonly sqlite3_stmt _gone;
        private readonly sqlite3_stmt _readApplied;
        private readonly sqlite3_stmt _writeApplied;
        private bool _inTransaction;
        // The tasks submitted in the batches being applied, in their latest state.
        private readonly Dictionary<long, TaskRow> _rows = [];
        // The rows of the next multi-row INSERT.
        private readonly TaskRow[] _group = new TaskRow[RowsPerInsert];

        public Statements(SqliteConnection connection)
        {
            _db = connection.Handle ?? throw new InvalidOperationException("the connection is not open");
            // Plain BEGIN/COMMIT statements, so every statement stays prepared across transactions.
            _begin = Prepare("BEGIN IMMEDIATE");
            _commit = Prepare("COMMIT");
            _rollback = Prepare("ROLLBACK");
            _client = Prepare(
                "INSERT INTO clients(token, name, seen_us, gone_us) VALUES (?1, ?2, ?3, NULL) "
                + "ON CONFLICT(token) DO UPDATE SET name = excluded.name, seen_us = excluded.seen_us, gone_us = NULL");
            _computation = Prepare(
                "INSERT OR REPLACE INTO computations(id, owner, name, exclusive, components, closed_us) VALUES (?1, ?2, ?3, ?4, ?5, NULL)");
            // Unbound report and finished_us are NULL: an unfinished task.
            _task = Prepare(TaskInsert(1));
            _tasks = Prepare(TaskInsert(RowsPerInsert));
            _started = Prepare("UPDATE tasks SET attempts = MAX(attempts, ?2) WHERE id = ?1");
            _finished = Prepare("UPDATE tasks SET report = ?2, finished_us = ?3, spec = NULL WHERE id = ?1");
            _acked = Prepare("UPDATE tasks SET acked = 1 WHERE id = ?1");
            _closed = Prepare("UPDATE computations SET closed_us = ?2 WHERE id = ?1");
            _gone = Prepare("UPDATE clients SET gone_us = ?2 WHERE token = ?1");
            _readApplied = Prepare("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'log_applied'");
            _writeApplied = Prepare(
                "INSERT INTO meta(key, value) VALUES ('log_applied', CAST(?1 AS TEXT)) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
        }

        public void Begin()
        {
            Step(_begin);
            _inTransaction = true;
        }

        public void Commit()
        {
            Step(_commit);
            _inTransaction = false;
        }

        public void Rollback()
        {
            if (!_inTransaction)
            {
                return;
            }

            _inTransaction = false;
            try
            {
                Step(_rollback);
            }
            catch (SqliteException)
            {
                // SQLite rolls back on its own after some errors (a full disk); the journal has failed either way.
                return;
            }
        }

        /// <summary>The sequence number of the last log frame the database holds; 0 before any.</summary>
        public long AppliedSequence()
        {
            var rc = raw.sqlite3_step(_readApplied);
            var value = rc == Row ? raw.sqlite3_column_int64(_readApplied, 0) : 0;
            var error = rc is Row or Done ? null : Failure(rc);
            raw.sqlite3_reset(_readApplied);
            return error is null ? value : throw error;
        }

        /// <summary>Records that the database holds the log's frames up to <paramref name="sequence"/>.</summary>
        public void SetAppliedSequence(long sequence)
        {
            Int(_writeApplied, 1, sequence);
            Step(_writeApplied);
        }

        /// <summary>Applies batches in order, with the time each was committed, as applying each in turn would, but with a
        /// task submitted among them written once, in its last state: a short task's submission, start, report and
        /// acknowledgement become one row insert.</summary>
        /// <remarks>Records of other tables go at once, in order: no statement of one table reads another, so only the
        /// order of one row's records matters, and a task's are merged in order. A record for a task submitted before
        /// these batches updates its row at once.</remarks>
        public void Apply(IEnumerable<(long NowUs, JournalBatch Batch)> batches)
        {
            _rows.Clear();
            foreach (var (nowUs, batch) in batches)
            {
                foreach (var client in batch.Clients)
                {
                    Text(_client, 1, client.Token);
                    Text(_client, 2, client.Name);
                    Int(_client, 3, ToMicroseconds(client.Seen));
                    Step(_client);
                }

                foreach (var computation in batch.Computations)
                {
                    Int(_computation, 1, computation.Id);
                    Text(_computation, 2, computation.OwnerToken);
                    Text(_computation, 3, computation.Name);
                    Int(_computation, 4, computation.Exclusive ? 1 : 0);
                    Blob(_computation, 5, computation.Components);
                    Step(_computation);
                }

                foreach (var task in batch.Submitted)
                {
                    // INSERT OR REPLACE: a task submitted again starts from this record.
                    _rows[task.Id] = new TaskRow(task, nowUs);
                }

                foreach (var (taskId, attempt) in batch.Started)
                {
                    if (_rows.TryGetValue(taskId, out var row))
                    {
                        row.Attempts = Math.Max(row.Attempts, attempt);
                    }
                    else
                    {
                        Int(_started, 1, taskId);
                        Int(_started, 2, attempt);
                        Step(_started);
                    }
                }

                foreach (var result in batch.Finished)
                {
                    if (_rows.TryGetValue(result.TaskId, out var row))
                    {
                        row.Report = result.Report;
                        row.FinishedUs = ToMicroseconds(result.Finished);
                    }
                    else
                    {
                        Int(_finished, 1, result.TaskId);
                        Blob(_finished, 2, result.Report);
                        Int(_finished, 3, ToMicroseconds(result.Finished));
                        Step(_finished);
                    }
                }

                foreach (var taskId in batch.Acknowledged)
                {
                    if (_rows.TryGetValue(taskId, out var row))
                    {
                        row.Acknowledged = true;
                    }
                    else
                    {
                        Int(_acked, 1, taskId);
                        Step(_acked);
                    }
                }

                foreach (var computation in batch.ClosedComputations)
                {
                    Int(_closed, 1, computation);
                    Int(_closed, 2, nowUs);
                    Step(_closed);
                }

                foreach (var token in batch.GoneClients)
                {
                    Text(_gone, 1, token);
                    Int(_gone, 2, nowUs);
                    Step(_gone);
                }
            }

            var grouped = 0;
            foreach (var row in _rows.Values)
            {
                _group[grouped++] = row;
                if (grouped == RowsPerInsert)
                {
                    for (var i = 0; i < RowsPerInsert; i++)
                    {
                        BindTask(_tasks, i * TaskColumns, _group[i]);
                    }

                    Step(_tasks);
                    grouped = 0;
                }
            }

            for (var i = 0; i < grouped; i++)
            {
                BindTask(_task, 0, _group[i]);
                Step(_task);
            }

            Array.Clear(_group);
            // Not kept past the transaction: their blobs belong to the batches, which go now.
            _rows.Clear();
        }

        /// <summary>INSERT OR REPLACE of <paramref name="rows"/> task rows, numbered ?1 to ?10 for the first, ?11 to ?20 for the next.</summary>
        private static string TaskInsert(int rows) =>
            "INSERT OR REPLACE INTO tasks(id, owner, computation, tag, spec, attempts, submitted_us, report, finished_us, acked) VALUES "
            + string.Join(", ", Enumerable.Range(0, rows).Select(static row =>
                "(" + string.Join(", ", Enumerable.Range(row * TaskColumns + 1, TaskColumns).Select(static n => "?" + n)) + ")"));

        /// <summary>Binds <paramref name="row"/> to the ten parameters after <paramref name="offset"/>; a value left unbound
        /// is NULL (<see cref="Step"/> clears the bindings): an unfinished task's report and finished_us.</summary>
        private void BindTask(sqlite3_stmt statement, int offset, TaskRow row)
        {
            Int(statement, offset + 1, row.Task.Id);
            Text(statement, offset + 2, row.Task.OwnerToken);
            Int(statement, offset + 3, row.Task.Computation);
            Int(statement, offset + 4, row.Task.Tag);
            // A finished task's spec is not kept: its report is what is read.
            if (row.Report is null)
            {
                Blob(statement, offset + 5, row.Task.Spec);
            }

            Int(statement, offset + 6, row.Attempts);
            Int(statement, offset + 7, row.SubmittedUs);
            if (row.Report is { } report)
            {
                Blob(statement, offset + 8, report);
                Int(statement, offset + 9, row.FinishedUs);
            }

            Int(statement, offset + 10, row.Acknowledged ? 1 : 0);
        }

        public void Dispose()
        {
            foreach (var statement in _all)
            {
                statement.Dispose();
            }
        }

        private sqlite3_stmt Prepare(string sql)
        {
            var rc = raw.sqlite3_prepare_v2(_db, sql, out var statement);
            SqliteException.ThrowExceptionForRC(rc, _db);
            _all.Add(statement);
            return statement;
        }

        private void Int(sqlite3_stmt statement, int index, long value) =>
            SqliteException.ThrowExceptionForRC(raw.sqlite3_bind_int64(statement, index, value), _db);

        private void Text(sqlite3_stmt statement, int index, string value) =>
            // UTF-16 as it is, which SQLite stores as UTF-8 itself: the string overload allocates its UTF-8 copy for every
            // bind. An empty string is bound as text, not NULL (which a span of nothing would bind).
            SqliteException.ThrowExceptionForRC(
                value.Length == 0 ? raw.sqlite3_bind_text(statement, index, value) : raw.sqlite3_bind_text16(statement, index, value.AsSpan()), _db);

        private void Blob(sqlite3_stmt statement, int index, byte[] value) =>
            // An empty array is a blob of no bytes, not NULL (which a span of nothing would bind).
            SqliteException.ThrowExceptionForRC(
                value.Length == 0 ? raw.sqlite3_bind_zeroblob(statement, index, 0) : raw.sqlite3_bind_blob(statement, index, value), _db);

        private SqliteException Failure(int rc) =>
            new(raw.sqlite3_errmsg(_db).utf8_to_string(), rc, raw.sqlite3_extended_errcode(_db));

        /// <summary>Runs a statement to its end and resets it for the next use; the bound blobs are let go.</summary>
        private void Step(sqlite3_stmt statement)
        {
            var rc = raw.sqlite3_step(statement);
            var error = rc == Done ? null : Failure(rc);
            // Reset even when it failed, so the statement can run again (and is not left holding a transaction open).
            raw.sqlite3_reset(statement);
            raw.sqlite3_clear_bindings(statement);
            if (error is not null)
            {
                throw error;
            }
        }
    }
}
