using System.Diagnostics;
using FuncExec.Journal;
using FuncExec.Journal.Sqlite;
using FuncExec.Scheduler.Journal;

namespace FuncExec.Bench;

/// <summary>
/// The CPU the SQLite journal costs a task in bursts as W1 makes them, in this process with no cluster: each round
/// appends 20,000 tasks submitted in four commits (specs of 150 bytes, the size of a no-op method task's), then their
/// starts, reports (70 bytes) and acknowledgements in commits of 100. The figure is this process's CPU time a task (the
/// committing thread and the journal's writer and applier together) over the measured rounds, until the journal has
/// stopped with every task in its database.
/// </summary>
internal static class JournalBurst
{
    private const int Tasks = 20_000;

    public static void Run(int rounds)
    {
        const int WarmUpRounds = 3;
        var folder = Directory.CreateTempSubdirectory("funcexec-bench-journal-burst-");
        try
        {
            var journal = new SqliteJournal(Path.Combine(folder.FullName, "journal.db"), new JournalOptions());
            var process = Process.GetCurrentProcess();
            var measuredCpu = TimeSpan.Zero;
            var measuredWall = Stopwatch.StartNew();
            try
            {
                var next = journal.Load().NextTaskId;
                var owner = Convert.ToHexString(Guid.NewGuid().ToByteArray()).ToLowerInvariant();
                var random = new Random(14);
                var specs = Blobs(random, 150);
                var reports = Blobs(random, 70);
                Console.Error.WriteLine($"journal burst: {WarmUpRounds} rounds of {Tasks:N0} tasks to warm up, then {rounds} measured, in {folder.FullName} ...");
                for (var round = 0; round < WarmUpRounds + rounds; round++)
                {
                    if (round == WarmUpRounds)
                    {
                        // The rounds before pay for .NET compiling the journal's code; the applier may still be on them.
                        journal.IsPending(next - 1);
                        process.Refresh();
                        measuredCpu = process.TotalProcessorTime;
                        measuredWall.Restart();
                    }

                    next = Burst(journal, next, owner, specs, reports);
                }
            }
            finally
            {
                // Stopping applies whatever the applier has not yet: the measured rounds end with it.
                journal.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            process.Refresh();
            var cpu = (process.TotalProcessorTime - measuredCpu).TotalMicroseconds / ((long)rounds * Tasks);
            var wall = measuredWall.Elapsed.TotalMicroseconds / ((long)rounds * Tasks);
            Console.WriteLine($"journal burst: {rounds} rounds of {Tasks:N0} tasks, every one in the database: {cpu:F2} µs of CPU a task ({wall:F2} µs of wall time)");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>One burst: <see cref="Tasks"/> tasks submitted in four commits, then their starts, reports and
    /// acknowledgements in commits of 100.</summary>
    /// <returns>The next task id.</returns>
    private static long Burst(SqliteJournal journal, long next, string owner, byte[][] specs, byte[][] reports)
    {
        var first = next;
        for (var commit = 0; commit < 4; commit++)
        {
            var submitted = new JournalBatch();
            for (var i = 0; i < Tasks / 4; i++, next++)
            {
                submitted.Submitted.Add(new JournaledTask(next, owner, 0, next - first, specs[next % specs.Length], 0));
            }

            journal.Append(submitted, null, lead: true);
            journal.LeadCommit();
        }

        for (var id = first; id < next; id += 100)
        {
            var finished = new JournalBatch();
            for (var i = id; i < id + 100; i++)
            {
                finished.Started.Add((i, 1));
                finished.Finished.Add(new JournaledResult(i, reports[i % reports.Length], DateTimeOffset.UtcNow) { OwnerToken = owner });
                finished.Acknowledged.Add(i);
            }

            journal.Append(finished, null, lead: true);
            journal.LeadCommit();
        }

        return next;
    }

    private static byte[][] Blobs(Random random, int size) =>
        [.. Enumerable.Range(0, 4096).Select(_ =>
        {
            var blob = new byte[size];
            random.NextBytes(blob);
            return blob;
        })];
}
