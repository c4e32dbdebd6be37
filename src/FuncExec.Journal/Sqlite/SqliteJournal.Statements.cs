using FuncExec.Scheduler.Journal;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace FuncExec.Journal.Sqlite;

internal sealed partial class SqliteJournal
{
    /// <summary>The writer's statements, prepared once on its connection and reused for every batch.</summary>
    /// <remarks>Run through SQLite's own interface (<see cref="raw"/>) on the connection's handle, with values bound by
    /// position: a <see cref="SqliteCommand"/> looks each parameter up by name and splits its text into statements again
    /// on every execution, which cost the writer more than SQLite's own work for the small rows of a task.</remarks>
    private sealed class Statements : IDisposable
    {
        private const int Done = 101; // SQLITE_DONE

        private readonly sqlite3 _db;
        private readonly List<sqlite3_stmt> _all = [];
        private readonly sqlite3_stmt _begin;
        private readonly sqlite3_stmt _commit;
        private readonly sqlite3_stmt _rollback;
        private readonly sqlite3_stmt _client;
        private readonly sqlite3_stmt _computation;
        private readonly sqlite3_stmt _task;
        private readonly sqlite3_stmt _started;
        private readonly sqlite3_stmt _finished;
        private readonly sqlite3_stmt _acked;
        private readonly sqlite3_stmt _closed;
        private readonly sqlite3_stmt _gone;
        private bool _inTransaction;

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
            _task = Prepare(
                "INSERT OR REPLACE INTO tasks(id, owner, computation, tag, spec, attempts, submitted_us, report, finished_us, acked) "
                + "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, NULL, 0)");
            _started = Prepare("UPDATE tasks SET attempts = MAX(attempts, ?2) WHERE id = ?1");
            _finished = Prepare("UPDATE tasks SET report = ?2, finished_us = ?3, spec = NULL WHERE id = ?1");
            _acked = Prepare("UPDATE tasks SET acked = 1 WHERE id = ?1");
            _closed = Prepare("UPDATE computations SET closed_us = ?2 WHERE id = ?1");
            _gone = Prepare("UPDATE clients SET gone_us = ?2 WHERE token = ?1");
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

        /// <summary>Applies one batch in the order its records are documented in.</summary>
        public void Apply(JournalBatch batch, long nowUs)
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
                Int(_task, 1, task.Id);
                Text(_task, 2, task.OwnerToken);
                Int(_task, 3, task.Computation);
                Int(_task, 4, task.Tag);
                Blob(_task, 5, task.Spec);
                Int(_task, 6, task.Attempts);
                Int(_task, 7, nowUs);
                Step(_task);
            }

            foreach (var (taskId, attempt) in batch.Started)
            {
                Int(_started, 1, taskId);
                Int(_started, 2, attempt);
                Step(_started);
            }

            foreach (var result in batch.Finished)
            {
                Int(_finished, 1, result.TaskId);
                Blob(_finished, 2, result.Report);
                Int(_finished, 3, ToMicroseconds(result.Finished));
                Step(_finished);
            }

            foreach (var taskId in batch.Acknowledged)
            {
                Int(_acked, 1, taskId);
                Step(_acked);
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
            SqliteException.ThrowExceptionForRC(raw.sqlite3_bind_text(statement, index, value), _db);

        private void Blob(sqlite3_stmt statement, int index, byte[] value) =>
            // An empty array is a blob of no bytes, not NULL (which a span of nothing would bind).
            SqliteException.ThrowExceptionForRC(
                value.Length == 0 ? raw.sqlite3_bind_zeroblob(statement, index, 0) : raw.sqlite3_bind_blob(statement, index, value), _db);

        /// <summary>Runs a statement to its end and resets it for the next use; the bound blobs are let go.</summary>
        private void Step(sqlite3_stmt statement)
        {
            var rc = raw.sqlite3_step(statement);
            var error = rc == Done ? null : new SqliteException(raw.sqlite3_errmsg(_db).utf8_to_string(), rc, raw.sqlite3_extended_errcode(_db));
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
