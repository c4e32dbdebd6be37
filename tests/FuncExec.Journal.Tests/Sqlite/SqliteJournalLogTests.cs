using System.Diagnostics;
using FuncExec.Journal.Sqlite;
using FuncExec.Scheduler.Journal;

namespace FuncExec.Journal.Tests.Sqlite;

/// <summary>The record log beside the SQLite journal: what a commit writes, and what an open after a crash applies.</summary>
public sealed class SqliteJournalLogTests : IDisposable
{
    private const string Token = "0123456789abcdef0123456789abcdef";
    private readonly string _folder = Directory.CreateTempSubdirectory("funcexec-journal-log-").FullName;

    private string JournalPath => Path.Combine(_folder, "journal.db");

    private string LogPath => JournalPath + SqliteJournal.LogSuffix;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private SqliteJournal Open() => new(JournalPath, new JournalOptions { StateFolder = _folder });

    private static byte[] Frame(long sequence, params JournalBatch[] batches)
    {
        var output = new JournalFrameBuffer();
        JournalLogFrames.Write(output, sequence, SqliteJournal.ToMicroseconds(DateTimeOffset.UtcNow), batches);
        return output.ToArray();
    }

    private static JournalBatch Submitted(params long[] ids)
    {
        var batch = new JournalBatch();
        foreach (var id in ids)
        {
            batch.Submitted.Add(new JournaledTask(id, Token, 0, id * 10, [1, 2, (byte)id], 0));
        }

        // Its client, whose undelivered reports a load returns.
        batch.Clients.Add(new JournaledClient(Token, "c", DateTimeOffset.UtcNow));
        return batch;
    }

    private static JournalBatch Finished(long id, byte report)
    {
        var batch = new JournalBatch();
        batch.Finished.Add(new JournaledResult(id, [report], DateTimeOffset.UtcNow));
        return batch;
    }

    /// <summary>A database made by an open and a clean stop, with no frame applied to it yet.</summary>
    private async Task CreateEmptyAsync()
    {
        await using var journal = Open();
        journal.Load();
    }

    [Fact]
    public void Frame_EveryKindOfRecord_ReadsBackAsWritten()
    {
        var seen = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
        var batch = new JournalBatch();
        batch.Clients.Add(new JournaledClient(Token, "näme ✓", seen));
        batch.Computations.Add(new JournaledComputation(7, Token, "comp", true, [4, 5]));
        batch.Submitted.Add(new JournaledTask(11, Token, 7, 110, [1, 2, 3], 2));
        batch.Started.Add((11, 3));
        batch.Finished.Add(new JournaledResult(12, [9], seen));
        batch.Acknowledged.Add(12);
        batch.ClosedComputations.Add(7);
        batch.GoneClients.Add(Token);
        var second = Finished(13, 8);

        var bytes = Frame(42, batch, second);
        Assert.True(JournalLogFrames.TryRead(bytes, out var length, out var sequence, out _, out var batches));

        Assert.Equal((bytes.Length, 42L, 2), (length, sequence, batches.Count));
        var read = batches[0];
        Assert.Equal((Token, "näme ✓", seen), (read.Clients[0].Token, read.Clients[0].Name, read.Clients[0].Seen));
        Assert.Equal((7L, Token, "comp", true), (read.Computations[0].Id, read.Computations[0].OwnerToken, read.Computations[0].Name, read.Computations[0].Exclusive));
        Assert.Equal(new byte[] { 4, 5 }, read.Computations[0].Components);
        var task = read.Submitted[0];
        Assert.Equal((11L, Token, 7L, 110L, 2), (task.Id, task.OwnerToken, task.Computation, task.Tag, task.Attempts));
        Assert.Equal(new byte[] { 1, 2, 3 }, task.Spec);
        Assert.Equal([(11L, 3)], read.Started);
        Assert.Equal((12L, seen), (read.Finished[0].TaskId, read.Finished[0].Finished));
        Assert.Equal(new byte[] { 9 }, read.Finished[0].Report);
        Assert.Equal([12L], read.Acknowledged);
        Assert.Equal([7L], read.ClosedComputations);
        Assert.Equal([Token], read.GoneClients);
        Assert.Equal(13, Assert.Single(batches[1].Finished).TaskId);
    }

    [Fact]
    public void Frame_RecordsAcrossManyChunks_ReadBackAsWritten_AndTheBufferReusedForTheNextFrameHoldsOnlyIt()
    {
        // A burst's frame: far more than the chunks kept between frames, with values that straddle chunk ends, a blob
        // and a text each longer than a chunk.
        var random = new Random(7);
        var bigSpec = new byte[(3 * JournalFrameBuffer.ChunkSize) + 123];
        random.NextBytes(bigSpec);
        var longName = string.Concat(Enumerable.Repeat("ß✓x", JournalFrameBuffer.ChunkSize / 2));
        var batch = new JournalBatch();
        batch.Clients.Add(new JournaledClient(Token, longName, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000)));
        batch.Submitted.Add(new JournaledTask(1, Token, 0, 10, bigSpec, 0));
        for (var id = 2L; id < 60_000; id++)
        {
            batch.Submitted.Add(new JournaledTask(id, Token, 0, id * 10, [(byte)id, (byte)(id >> 8), 3], 1));
        }

        var buffer = new JournalFrameBuffer();
        JournalLogFrames.Write(buffer, 5, 1_000, [batch]);
        Assert.True(buffer.Length > (JournalFrameBuffer.KeptChunks + 2) * (long)JournalFrameBuffer.ChunkSize);
        var bytes = buffer.ToArray();

        Assert.True(JournalLogFrames.TryRead(bytes, out var length, out var sequence, out _, out var batches));
        Assert.Equal((bytes.Length, 5L), (length, sequence));
        var read = Assert.Single(batches);
        Assert.Equal(longName, read.Clients[0].Name);
        Assert.Equal(bigSpec, read.Submitted[0].Spec);
        Assert.Equal(batch.Submitted.Count, read.Submitted.Count);
        for (var i = 1; i < batch.Submitted.Count; i++)
        {
            var (written, got) = (batch.Submitted[i], read.Submitted[i]);
            Assert.Equal((written.Id, written.Tag, written.Attempts), (got.Id, got.Tag, got.Attempts));
            Assert.Equal(written.Spec, got.Spec);
        }

        // The same buffer, emptied, builds a small frame byte for byte as a new one does.
        var small = Finished(9, 1);
        buffer.Reset();
        JournalLogFrames.Write(buffer, 6, 2_000, [small]);
        var fresh = new JournalFrameBuffer();
        JournalLogFrames.Write(fresh, 6, 2_000, [small]);
        Assert.Equal(fresh.ToArray(), buffer.ToArray());
        Assert.Throws<InvalidOperationException>(() => JournalLogFrames.Write(buffer, 7, 3_000, [small]));
    }

    [Fact]
    public void Frame_CutShortOrChanged_IsNotRead()
    {
        var bytes = Frame(1, Submitted(1, 2));

        Assert.False(JournalLogFrames.TryRead(bytes.AsSpan(0, bytes.Length - 1), out _, out _, out _, out _));
        var flipped = (byte[])bytes.Clone();
        flipped[^3] ^= 0x40;
        Assert.False(JournalLogFrames.TryRead(flipped, out _, out _, out _, out _));
        Assert.False(JournalLogFrames.TryRead(new byte[JournalLogFrames.HeaderSize], out _, out _, out _, out _));
    }

    [Fact]
    public async Task Load_LogFramesTheDatabaseLacks_AreApplied_AndATornLastFrameIsDropped()
    {
        await CreateEmptyAsync();
        var torn = Frame(3, Finished(2, 8));
        // As a scheduler that died after two commits, and in the middle of writing a third.
        await File.WriteAllBytesAsync(LogPath, [.. Frame(1, Submitted(1, 2)), .. Frame(2, Finished(1, 7)), .. torn.AsSpan(0, torn.Length / 2)]);

        await using var journal = Open();
        var state = journal.Load();

        Assert.Equal([2L], state.Unfinished.Select(t => t.Id));
        var report = Assert.Single(state.Undelivered);
        Assert.Equal(1L, report.TaskId);
        Assert.Equal(new byte[] { 7 }, report.Report);
        Assert.Equal(3, state.NextTaskId);
        // Applied and emptied: the next open does not apply them again.
        Assert.Equal(0, new FileInfo(LogPath).Length);
    }

    [Fact]
    public async Task Load_FramesAlreadyApplied_AreNotAppliedAgain()
    {
        await CreateEmptyAsync();
        await File.WriteAllBytesAsync(LogPath, [.. Frame(1, Submitted(1)), .. Frame(2, Finished(1, 7))]);
        await using (var journal = Open())
        {
            journal.Load();
        }

        // Frames 1 and 2 again (a log emptied too late), then one the database lacks: only frame 3 counts. Were frame 1
        // applied again, task 1 would be unfinished again.
        await File.WriteAllBytesAsync(LogPath, [.. Frame(1, Submitted(1)), .. Frame(2, Finished(1, 7)), .. Frame(3, Submitted(2))]);
        await using var reopened = Open();
        var state = reopened.Load();

        Assert.Equal([2L], state.Unfinished.Select(t => t.Id));
        Assert.Equal([1L], state.Undelivered.Select(r => r.TaskId));
    }

    [Fact]
    public async Task Load_ATasksWholeLifeInTheLog_IsOneRowInItsLastState_AndLaterRecordsUpdateRowsAlreadyThere()
    {
        await CreateEmptyAsync();
        var life = new JournalBatch();
        life.Started.Add((1, 1));
        life.Finished.Add(new JournaledResult(1, [7], DateTimeOffset.UtcNow));
        life.Acknowledged.Add(1);
        var retried = new JournalBatch();
        retried.Started.Add((2, 1));
        retried.Started.Add((2, 2));
        await File.WriteAllBytesAsync(LogPath, [.. Frame(1, Submitted(1, 2, 3)), .. Frame(2, life, retried)]);
        await using (var journal = Open())
        {
            var state = journal.Load();
            Assert.Equal([(2L, 2), (3L, 0)], state.Unfinished.Select(t => (t.Id, t.Attempts)));
            Assert.Empty(state.Undelivered);
            var result = Assert.Single(journal.ReadResults([1]));
            Assert.True(result.Acknowledged);
            Assert.Equal(new byte[] { 7 }, result.Report);
        }

        // Tasks 2 and 3 are rows now: these records update them.
        var later = Finished(3, 9);
        later.Started.Add((2, 3));
        await File.WriteAllBytesAsync(LogPath, Frame(3, later));
        await using var reopened = Open();
        var reloaded = reopened.Load();
        Assert.Equal([(2L, 3)], reloaded.Unfinished.Select(t => (t.Id, t.Attempts)));
        Assert.Equal([3L], reloaded.Undelivered.Select(r => r.TaskId));
    }

    [Fact]
    public async Task Load_ManyTasksInOneFrame_EachIsOneRowInItsLastState_WhateverGroupOfRowsItIsWrittenIn()
    {
        // 100 tasks: rows go to the database several to a statement, and the last few one by one.
        await CreateEmptyAsync();
        var submitted = Submitted([.. Enumerable.Range(1, 100).Select(i => (long)i)]);
        // A client whose name is empty: text of no characters, not NULL.
        submitted.Clients.Add(new JournaledClient("ffffffffffffffffffffffffffffffff", string.Empty, DateTimeOffset.UtcNow));
        var life = new JournalBatch();
        for (var id = 1L; id <= 100; id++)
        {
            life.Started.Add((id, (int)(id % 3) + 1));
            if (id % 4 != 0)
            {
                life.Finished.Add(new JournaledResult(id, [(byte)id, 0xEE], DateTimeOffset.UtcNow));
            }

            if (id % 2 == 1)
            {
                life.Acknowledged.Add(id);
            }
        }

        await File.WriteAllBytesAsync(LogPath, Frame(1, submitted, life));
        await using var journal = Open();
        var state = journal.Load();

        var unfinished = Enumerable.Range(1, 100).Where(id => id % 4 == 0).ToArray();
        Assert.Equal(unfinished.Select(id => ((long)id, id % 3 + 1)), state.Unfinished.Select(t => (t.Id, t.Attempts)));
        Assert.All(state.Unfinished, t => Assert.Equal(new byte[] { 1, 2, (byte)t.Id }, t.Spec));
        Assert.All(state.Unfinished, t => Assert.Equal((t.Id, Token, t.Id * 10), (t.Id, t.OwnerToken, t.Tag)));
        var finished = Enumerable.Range(1, 100).Where(id => id % 4 != 0).Select(id => (long)id).ToArray();
        Assert.Equal(finished.Where(id => id % 2 == 0), state.Undelivered.Select(r => r.TaskId));
        var results = journal.ReadResults(finished);
        Assert.Equal(finished, results.Select(r => r.TaskId));
        Assert.All(results, r => Assert.Equal(new byte[] { (byte)r.TaskId, 0xEE }, r.Report));
        Assert.All(results, r => Assert.Equal(r.TaskId % 2 == 1, r.Acknowledged));
        Assert.Equal(["c", string.Empty], state.Clients.OrderBy(c => c.Token, StringComparer.Ordinal).Select(c => c.Name));
    }

    [Fact]
    public async Task Load_LogBesideADatabaseMadeJustNow_IsNotApplied()
    {
        // A log whose database was deleted by hand (with no state folder to say this scheduler made it).
        await File.WriteAllBytesAsync(LogPath, Frame(1, Submitted(1, 2)));

        await using var journal = new SqliteJournal(JournalPath, new JournalOptions());
        var state = journal.Load();

        Assert.Empty(state.Unfinished);
        Assert.Equal(0, new FileInfo(LogPath).Length);
    }

    [Fact]
    public async Task Commit_FileSystemFull_TheJournalFailsNamingItsLog_NothingIsToldCommitted_AndLaterAppendsAreRefused()
    {
        // A file system of its own, 4 MiB, so that filling it harms nothing else (the tests run as root).
        var mount = Path.Combine(_folder, "small");
        Directory.CreateDirectory(mount);
        Run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount);
        try
        {
            await using var journal = new SqliteJournal(Path.Combine(mount, "journal.db"), new JournalOptions());
            journal.Load();
            var failed = new TaskCompletionSource<JournalException>(TaskCreationOptions.RunContinuationsAsynchronously);
            journal.JournalFailed = ex => failed.TrySetResult(ex);
            await using (var filler = File.Create(Path.Combine(mount, "filler")))
            {
                var chunk = new byte[64 * 1024];
                var full = false;
                while (!full)
                {
                    try
                    {
                        filler.Write(chunk);
                        filler.Flush();
                    }
                    catch (IOException)
                    {
                        // No space left: the file system is full, which is what this test needs.
                        full = true;
                    }
                }
            }

            var batch = new JournalBatch();
            batch.Submitted.Add(new JournaledTask(1, Token, 0, 10, new byte[256 * 1024], 0));
            var told = false;
            journal.Append(batch, () => told = true, lead: true);
            journal.LeadCommit();

            var failure = await failed.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains(LogPathIn(mount), failure.Message, StringComparison.Ordinal);
            Assert.False(told);
            var refused = Assert.Throws<JournalException>(() => journal.Append(Submitted(2), null));
            Assert.Contains("failed earlier", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            Run("umount", mount);
        }
    }

    private static string LogPathIn(string folder) => Path.Combine(folder, "journal.db") + SqliteJournal.LogSuffix;

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {error}");
    }

    [Fact]
    public async Task Commits_PastTheLogLimit_TheLogIsEmptiedWhileTheJournalRuns_AndACrashLosesNothing()
    {
        const int tasks = 40;
        var crashed = Open();
        crashed.Load();
        for (var id = 1; id <= tasks; id++)
        {
            var batch = Submitted(id);
            batch.Submitted[0] = batch.Submitted[0] with { Spec = new byte[1024 * 1024] };
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            crashed.Append(batch, done.SetResult);
            await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }

        // 40 MiB were committed, past the 16 MiB limit: the applier applies them and empties the log as it runs, though
        // small commits keep coming all the while, so that the log is never wholly applied by itself.
        var small = 0L;
        var emptied = false;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!emptied && DateTime.UtcNow < deadline)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            crashed.Append(Submitted(1000 + ++small), done.SetResult);
            await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
            emptied = new FileInfo(LogPath).Length < SqliteJournal.LogLimit;
        }

        Assert.True(emptied, $"the log still holds {new FileInfo(LogPath).Length} bytes after {small} more commits");

        // Not disposed: as if its process died here.
        await using var reopened = Open();
        var state = reopened.Load();
        var expected = Enumerable.Range(1, tasks).Select(i => (long)i).Concat(Enumerable.Range(1, (int)small).Select(i => 1000L + i));
        Assert.Equal(expected, state.Unfinished.Select(t => t.Id));
        Assert.All(state.Unfinished.Take(tasks), t => Assert.Equal(1024 * 1024, t.Spec.Length));
        await crashed.DisposeAsync();
    }

    [Fact]
    public async Task Commit_IsInTheLogWhenItsCallbackRuns_AndACleanStopLeavesTheLogEmpty()
    {
        var copy = Path.Combine(_folder, "copy");
        Directory.CreateDirectory(copy);
        await using (var journal = Open())
        {
            journal.Load();
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            journal.Append(Submitted(1, 2), () =>
            {
                // In the callback, as the scheduler tells a client its tasks are accepted: the log holds them already.
                File.Copy(LogPath, Path.Combine(copy, "journal.db-log"));
                done.SetResult();
            });
            await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.Equal(0, new FileInfo(LogPath).Length);
        var bytes = await File.ReadAllBytesAsync(Path.Combine(copy, "journal.db-log"));
        Assert.True(JournalLogFrames.TryRead(bytes, out _, out _, out _, out var batches));
        Assert.Equal([1L, 2L], batches.SelectMany(b => b.Submitted).Select(t => t.Id));
    }
}
