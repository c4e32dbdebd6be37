using BenchmarkDotNet.Attributes;
using FuncExec.Journal;
using FuncExec.Journal.Sqlite;
using FuncExec.Scheduler.Journal;
using Microsoft.Data.Sqlite;

namespace FuncExec.Bench.Micro;

/// <summary>
/// What the scheduler's SQLite journal costs one sequential task: its submission committed, then its report committed
/// (each led on the calling thread, as a lone batch is), against the least SQLite commits in the same mode: a
/// transaction that changes one small row of another file with the same settings (WAL, <c>synchronous=NORMAL</c>).
/// </summary>
/// <remarks>
/// The journal files live in a fresh folder under the system's temporary folder and grow through the run, as a
/// scheduler's does between purges. The spec and report blobs are the sizes a no-op method task has (about 60 and 40
/// bytes).
/// </remarks>
public class JournalBenchmarks : IDisposable
{
    private const string Owner = "0123456789abcdef0123456789abcdef";
    private static readonly byte[] Spec = new byte[60];
    private static readonly byte[] Report = new byte[40];
    private const int BurstTasks = 2000;

    private string _folder = string.Empty;
    private SqliteJournal? _journal;
    private SqliteConnection? _plain;
    private SqliteCommand? _touch;
    private long _nextId;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("funcexec-journal-bench-").FullName;
        _journal = new SqliteJournal(Path.Combine(_folder, "journal.db"), new JournalOptions());
        _nextId = _journal.Load().NextTaskId;
        _plain = new SqliteConnection($"Data Source={Path.Combine(_folder, "plain.db")};Pooling=False");
        _plain.Open();
        using (var setup = _plain.CreateCommand())
        {
            setup.CommandText = """
                PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
                CREATE TABLE counter(id INTEGER PRIMARY KEY, value INTEGER); INSERT INTO counter VALUES (1, 0);
                """;
            setup.ExecuteNonQuery();
        }

        _touch = _plain.CreateCommand();
        _touch.CommandText = "BEGIN IMMEDIATE; UPDATE counter SET value = value + 1 WHERE id = 1; COMMIT;";
        _touch.Prepare();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _touch?.Dispose();
        _touch = null;
        _plain?.Dispose();
        _plain = null;
        _journal?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _journal = null;
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, Description = "SQLite commit of one small row")]
    public int PlainCommit() => _touch!.ExecuteNonQuery();

    [Benchmark(Description = "journal: a task submitted, started and reported (2 commits)")]
    public void SubmitThenReport()
    {
        var journal = _journal!;
        var id = _nextId++;
        var submitted = new JournalBatch();
        submitted.Submitted.Add(new JournaledTask(id, Owner, 0, id, Spec, 0));
        submitted.Started.Add((id, 1));
        journal.Append(submitted, static () => { }, lead: true);
        journal.LeadCommit();
        var finished = new JournalBatch();
        finished.Finished.Add(new JournaledResult(id, Report, DateTimeOffset.UtcNow));
        journal.Append(finished, static () => { }, lead: true);
        journal.LeadCommit();
    }

    /// <summary>A burst as a client's run of no-op tasks makes it: 2,000 tasks submitted in one commit, then their reports
    /// and acknowledgements in commits of 100, until the database holds them all (each a row in its last state).</summary>
    [Benchmark(OperationsPerInvoke = BurstTasks, Description = "journal: a burst of 2,000 tasks to the database, per task")]
    public void Burst()
    {
        var journal = _journal!;
        var first = _nextId;
        var submitted = new JournalBatch();
        for (var i = 0; i < BurstTasks; i++)
        {
            submitted.Submitted.Add(new JournaledTask(_nextId++, Owner, 0, i, Spec, 0));
        }

        journal.Append(submitted, static () => { }, lead: true);
        journal.LeadCommit();
        for (var id = first; id < _nextId; id += 100)
        {
            var finished = new JournalBatch();
            for (var i = id; i < id + 100; i++)
            {
                finished.Started.Add((i, 1));
                finished.Finished.Add(new JournaledResult(i, Report, DateTimeOffset.UtcNow));
                finished.Acknowledged.Add(i);
            }

            journal.Append(finished, static () => { }, lead: true);
            journal.LeadCommit();
        }

        // Waits for the database to hold what was committed.
        journal.IsPending(first);
    }
}
