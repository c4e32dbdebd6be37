using FuncExec.Scheduler.Journal;
using Microsoft.Data.Sqlite;

namespace FuncExec.Journal.Sqlite;

internal sealed partial class SqliteJournal
{
    /// <summary>The writer's statements, prepared once on its connection and reused for every batch.</summary>
    private sealed class Statements : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly List<SqliteCommand> _all = [];
        private readonly SqliteCommand _begin;
        private readonly SqliteCommand _commit;
        private readonly SqliteCommand _rollback;
        private readonly SqliteCommand _client;
        private readonly SqliteCommand _computation;
        private readonly SqliteCommand _task;
        private readonly SqliteCommand _started;
        private readonly SqliteCommand _finished;
        private readonly SqliteCommand _acked;
        private readonly SqliteCommand _closed;
        private readonly SqliteCommand _gone;
        private bool _inTransaction;

        public Statements(SqliteConnection connection)
        {
            _connection = connection;
            // Plain BEGIN/COMMIT statements, so every command stays prepared across transactions.
            _begin = Prepare("BEGIN IMMEDIATE");
            _commit = Prepare("COMMIT");
            _rollback = Prepare("ROLLBACK");
            _client = Prepare(
                "INSERT INTO clients(token, name, seen_us, gone_us) VALUES ($token, $name, $seen, NULL) "
                + "ON CONFLICT(token) DO UPDATE SET name = excluded.name, seen_us = excluded.seen_us, gone_us = NULL",
                "$token", "$name", "$seen");
            _computation = Prepare(
                "INSERT OR REPLACE INTO computations(id, owner, name, exclusive, components, closed_us) VALUES ($id, $owner, $name, $exclusive, $components, NULL)",
                "$id", "$owner", "$name", "$exclusive", "$components");
            _task = Prepare(
                "INSERT OR REPLACE INTO tasks(id, owner, computation, tag, spec, attempts, submitted_us, report, finished_us, acked) "
                + "VALUES ($id, $owner, $computation, $tag, $spec, $attempts, $now, NULL, NULL, 0)",
                "$id", "$owner", "$computation", "$tag", "$spec", "$attempts", "$now");
            _started = Prepare("UPDATE tasks SET attempts = MAX(attempts, $attempt) WHERE id = $id", "$id", "$attempt");
            _finished = Prepare(
                "UPDATE tasks SET report = $report, finished_us = $finished, spec = NULL WHERE id = $id", "$id", "$report", "$finished");
            _acked = Prepare("UPDATE tasks SET acked = 1 WHERE id = $id", "$id");
            _closed = Prepare("UPDATE computations SET closed_us = $now WHERE id = $id", "$id", "$now");
            _gone = Prepare("UPDATE clients SET gone_us = $now WHERE token = $token", "$token", "$now");
        }

        public void Begin()
        {
            _begin.ExecuteNonQuery();
            _inTransaction = true;
        }

        public void Commit()
        {
            _commit.ExecuteNonQuery();
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
                _rollback.ExecuteNonQuery();
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
                Run(_client, client.Token, client.Name, ToMicroseconds(client.Seen));
            }

            foreach (var computation in batch.Computations)
            {
                Run(_computation, computation.Id, computation.OwnerToken, computation.Name, computation.Exclusive ? 1 : 0, computation.Components);
            }

            foreach (var task in batch.Submitted)
            {
                Run(_task, task.Id, task.OwnerToken, task.Computation, task.Tag, task.Spec, task.Attempts, nowUs);
            }

            foreach (var (taskId, attempt) in batch.Started)
            {
                Run(_started, taskId, attempt);
            }

            foreach (var result in batch.Finished)
            {
                Run(_finished, result.TaskId, result.Report, ToMicroseconds(result.Finished));
            }

            foreach (var taskId in batch.Acknowledged)
            {
                Run(_acked, taskId);
            }

            foreach (var computation in batch.ClosedComputations)
            {
                Run(_closed, computation, nowUs);
            }

            foreach (var token in batch.GoneClients)
            {
                Run(_gone, token, nowUs);
            }
        }

        public void Dispose()
        {
            foreach (var command in _all)
            {
                command.Dispose();
            }
        }

        private SqliteCommand Prepare(string sql, params string[] parameters)
        {
            var command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            command.Prepare();
            _all.Add(command);
            return command;
        }

        private static void Run(SqliteCommand command, params object[] values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters[i].Value = values[i];
            }

            command.ExecuteNonQuery();
        }
    }
}
