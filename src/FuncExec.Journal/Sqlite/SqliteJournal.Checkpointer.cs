using Microsoft.Data.Sqlite;

namespace FuncExec.Journal.Sqlite;

internal sealed partial class SqliteJournal
{
    /// <summary>Pages in the WAL past which the writer copies it back into the database itself, within its commit: only
    /// when the checkpointer fell behind (or failed), so the WAL cannot grow without limit.</summary>
    internal const int WriterCheckpointPages = 8192;

    /// <summary>What a WAL that grew past its usual size is cut back to once it is copied back and starts over.</summary>
    internal const long WalSizeLimit = 16 * 1024 * 1024;

    /// <summary>
    /// Copies the WAL back into the database file (a PASSIVE checkpoint, with its <c>fsync</c>s) on a thread and a
    /// connection of its own, at most once per <see cref="Interval"/> while the writer commits, instead of within the
    /// writer's commit every 1000 pages (SQLite's default): the writer never waits for it, and a passive checkpoint
    /// never waits for the writer.
    /// </summary>
    /// <remarks>A passive checkpoint copies what was committed when it began; the writer starts the WAL over at its next
    /// commit once everything was copied. While the writer keeps committing during each copy, the WAL only grows, until
    /// <see cref="WriterCheckpointPages"/>: then the writer's own checkpoint copies the little left and the WAL starts
    /// over, cut to <see cref="WalSizeLimit"/>.</remarks>
    private sealed class Checkpointer
    {
        private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

        private readonly object _gate = new();
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _checkpoint;
        private readonly Thread _thread;
        private bool _wrote;
        private bool _stopping;

        public Checkpointer(SqliteConnection connection)
        {
            _connection = connection;
            _checkpoint = connection.CreateCommand();
            _checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
            _thread = new Thread(Run) { IsBackground = true, Name = "FuncExec journal checkpointer" };
            _thread.Start();
        }

        /// <summary>Why it stopped checkpointing, if a checkpoint failed: the writer's own checkpoints go on.</summary>
        public SqliteException? Failure { get; private set; }

        /// <summary>The writer committed: the WAL has grown.</summary>
        public void Wrote()
        {
            lock (_gate)
            {
                if (!_wrote)
                {
                    _wrote = true;
                    Monitor.Pulse(_gate);
                }
            }
        }

        /// <summary>Stops after the checkpoint under way, if any, and closes its connection.</summary>
        public void Stop()
        {
            lock (_gate)
            {
                _stopping = true;
                Monitor.Pulse(_gate);
            }

            _thread.Join();
            _checkpoint.Dispose();
            _connection.Dispose();
        }

        private void Run()
        {
            while (true)
            {
                lock (_gate)
                {
                    while (!_wrote && !_stopping)
                    {
                        Monitor.Wait(_gate);
                    }

                    if (_stopping)
                    {
                        return;
                    }

                    _wrote = false;
                }

                var started = Environment.TickCount64;
                try
                {
                    _checkpoint.ExecuteNonQuery();
                }
                catch (SqliteException ex)
                {
                    // The writer's checkpoints (past WriterCheckpointPages) keep the WAL bounded without this thread;
                    // a failure that matters (a full disk, a damaged file) fails the writer's next commit too.
                    Failure = ex;
                    return;
                }

                // At most one checkpoint per interval: a busy writer's WAL is copied in long runs, not page by page.
                lock (_gate)
                {
                    var left = Interval.TotalMilliseconds - (Environment.TickCount64 - started);
                    while (left > 0 && !_stopping)
                    {
                        Monitor.Wait(_gate, TimeSpan.FromMilliseconds(left));
                        left = Interval.TotalMilliseconds - (Environment.TickCount64 - started);
                    }
                }
            }
        }
    }
}
