using FuncExec.Journal.Sqlite;
using FuncExec.Scheduler.Journal;
using Microsoft.Data.Sqlite;

namespace FuncExec.Journal.Tests.Sqlite;

public sealed class SqliteJournalTests : IDisposable
{
    private const string Token = "0123456789abcdef0123456789abcdef";
    private readonly string _folder = Directory.CreateTempSubdirectory("funcexec-journal-").FullName;

    private string JournalPath => Path.Combine(_folder, "journal.db");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private SqliteJournal Open(bool fresh = false) => new(JournalPath, new JournalOptions { StateFolder = _folder, Fresh = fresh });

    private static Task AppendAsync(SqliteJournal journal, JournalBatch batch)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        journal.Append(batch, done.SetResult);
        return done.Task;
    }

    private static JournalBatch Submitted(params long[] ids)
    {
        var batch = new JournalBatch();
        foreach (var id in ids)
        {
            batch.Submitted.Add(new JournaledTask(id, Token, 0, id * 10, [1, 2, (byte)id], 0));
        }

        return batch;
    }

    [Fact]
    public async Task Append_AcknowledgementsAlone_WaitForTheNextCommit_AndAreWrittenWhenTheJournalStops()
    {
        await using (var journal = Open())
        {
            journal.Load();
            await AppendAsync(journal, Submitted(1, 2));
            var finished = new JournalBatch();
            finished.Finished.Add(new JournaledResult(1, [7], DateTimeOffset.UtcNow));
            finished.Finished.Add(new JournaledResult(2, [8], DateTimeOffset.UtcNow));
            await AppendAsync(journal, finished);

            var first = new JournalBatch();
            first.Acknowledged.Add(1);
            journal.Append(first, null);
            // Nothing else came: no commit was made for it alone.
            Assert.All(journal.ReadResults([1, 2]), r => Assert.False(r.Acknowledged));

            await AppendAsync(journal, Submitted(3));
            // It went with the next commit.
            Assert.Equal([(1L, true), (2L, false)], journal.ReadResults([1, 2]).Select(r => (r.TaskId, r.Acknowledged)));

            var second = new JournalBatch();
            second.Acknowledged.Add(2);
            journal.Append(second, null);
        }

        await using var reopened = Open();
        reopened.Load();
        // Written when the journal stopped: no report is left to deliver again.
        Assert.Equal([(1L, true), (2L, true)], reopened.ReadResults([1, 2]).Select(r => (r.TaskId, r.Acknowledged)));
    }

    [Fact]
    public async Task Purge_CommitsTheAcknowledgementsWaitingForACommit()
    {
        await using var journal = Open();
        journal.Load();
        var batch = Submitted(1);
        batch.Clients.Add(new JournaledClient(Token, "c", DateTimeOffset.UtcNow));
        batch.Finished.Add(new JournaledResult(1, [7], DateTimeOffset.UtcNow));
        await AppendAsync(journal, batch);
        var acknowledged = new JournalBatch();
        acknowledged.Acknowledged.Add(1);
        journal.Append(acknowledged, null);

        // A purge with nothing to delete still commits them: acknowledgements wait one purge interval at most.
        Assert.Equal(0, journal.Purge(DateTimeOffset.UtcNow.AddDays(-1)));

        Assert.True(Assert.Single(journal.ReadResults([1])).Acknowledged);
    }

    [Fact]
    public async Task LeadCommit_AfterALedAppend_CommitsOnTheCallingThreadBeforeItReturns()
    {
        await using var journal = Open();
        journal.Load();
        var caller = Environment.CurrentManagedThreadId;
        int? ranOn = null;
        // The writer thread, just started, takes whatever is urgent until it first waits: from then on a led batch is
        // the caller's to commit. (A guard, not a timed assertion.)
        Assert.True(SpinWait.SpinUntil(() => journal.WriterWaiting, TimeSpan.FromSeconds(30)), "the journal's writer never waited for work");
        journal.Append(Submitted(1), () => ranOn = Environment.CurrentManagedThreadId, lead: true);

        journal.LeadCommit();

        // A lone batch costs no hand-over to the writer thread: committed, and its callback run, here.
        Assert.Equal(caller, ranOn);
        Assert.True(journal.IsPending(1));
    }

    [Fact]
    public async Task Append_LedFromManyThreadsBesideUnledOnes_EveryCallbackRunsOnceInAppendOrderPerThread()
    {
        await using var journal = Open();
        journal.Load();
        const int threads = 4;
        const int perThread = 300;
        var seen = new List<int>[threads];
        var remaining = threads * perThread;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var workers = Enumerable.Range(0, threads).Select(t => Task.Run(() =>
        {
            seen[t] = [];
            for (var i = 0; i < perThread; i++)
            {
                var n = i;
                var lead = i % 3 != 0;
                journal.Append(Submitted((t * perThread) + i + 1), () =>
                {
                    lock (seen)
                    {
                        seen[t].Add(n);
                    }

                    if (Interlocked.Decrement(ref remaining) == 0)
                    {
                        all.SetResult();
                    }
                }, lead);
                if (lead)
                {
                    journal.LeadCommit();
                }
            }
        })).ToArray();

        await Task.WhenAll(workers);
        // The unled batches after a thread's last led one are committed by the writer.
        await all.Task.WaitAsync(TimeSpan.FromSeconds(60));
        foreach (var order in seen)
        {
            Assert.Equal(Enumerable.Range(0, perThread), order);
        }

        Assert.Equal(threads * perThread, journal.Stats().Tasks);
    }

    [Fact]
    public async Task Append_ManyBatches_CallbacksRunInAppendOrder()
    {
        await using var journal = Open();
        journal.Load();
        var order = new List<int>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        const int count = 2000;
        for (var i = 0; i < count; i++)
        {
            var n = i;
            journal.Append(Submitted(i + 1), () =>
            {
                order.Add(n);
                if (n == count - 1)
                {
                    all.SetResult();
                }
            });
        }

        await all.Task;
        Assert.Equal(Enumerable.Range(0, count), order);
        Assert.Equal(count, journal.Stats().Tasks);
    }

    [Fact]
    public async Task Load_AfterAJournalThatWasNeverClosed_SeesEveryCommittedBatch()
    {
        var crashed = Open();
        crashed.Load();
        var client = new JournalBatch();
        client.Clients.Add(new JournaledClient(Token, "c", DateTimeOffset.UtcNow));
        client.Computations.Add(new JournaledComputation(77, Token, "comp", true, [9, 9]));
        await AppendAsync(crashed, client);
        await AppendAsync(crashed, Submitted(1, 2, 3));
        var progress = new JournalBatch();
        progress.Started.Add((2, 1));
        progress.Started.Add((3, 1));
        progress.Finished.Add(new JournaledResult(3, [7], DateTimeOffset.UtcNow));
        await AppendAsync(crashed, progress);

        // Not disposed: as if its process died here.
        await using var reopened = Open();
        var state = reopened.Load();
        Assert.Equal(4, state.NextTaskId);
        Assert.Equal(Token, Assert.Single(state.Clients).Token);
        var computation = Assert.Single(state.Computations);
        Assert.Equal((77L, true), (computation.Id, computation.Exclusive));
        Assert.Equal(new byte[] { 9, 9 }, computation.Components);
        Assert.Equal([1L, 2L], state.Unfinished.Select(t => t.Id));
        Assert.Equal([0, 1], state.Unfinished.Select(t => t.Attempts));
        Assert.Equal(20, state.Unfinished[1].Tag);
        var report = Assert.Single(state.Undelivered);
        Assert.Equal((3L, Token, false), (report.TaskId, report.OwnerToken, report.Acknowledged));
        Assert.False(reopened.IsPending(3));
        Assert.True(reopened.IsPending(1));
        await crashed.DisposeAsync();
    }

    [Fact]
    public async Task Acknowledged_AndGoneClients_AreNotUndelivered_ButStayReadable()
    {
        await using (var journal = Open())
        {
            journal.Load();
            var batch = Submitted(1, 2);
            batch.Clients.Add(new JournaledClient(Token, "c", DateTimeOffset.UtcNow));
            batch.Finished.Add(new JournaledResult(1, [1], DateTimeOffset.UtcNow));
            batch.Finished.Add(new JournaledResult(2, [2], DateTimeOffset.UtcNow));
            batch.Acknowledged.Add(1);
            await AppendAsync(journal, batch);
            var state = new JournalBatch();
            Assert.Equal([2L], journal.ReadResults([2]).Select(r => r.TaskId));
            state.GoneClients.Add(Token);
            await AppendAsync(journal, state);
        }

        await using var reopened = Open();
        var loaded = reopened.Load();
        Assert.Empty(loaded.Undelivered);
        Assert.Empty(loaded.Clients);
        var results = reopened.ReadResults([1, 2, 3]);
        Assert.Equal([1L, 2L], results.Select(r => r.TaskId).Order());
        Assert.True(results.Single(r => r.TaskId == 1).Acknowledged);
    }

    [Fact]
    public async Task Purge_DeletesOldAcknowledgedResults_AndKeepsTaskIdsGrowing()
    {
        await using (var journal = Open())
        {
            journal.Load();
            var batch = Submitted(1, 2, 3);
            batch.Clients.Add(new JournaledClient(Token, "c", DateTimeOffset.UtcNow));
            var old = DateTimeOffset.UtcNow.AddDays(-2);
            batch.Finished.Add(new JournaledResult(1, [1], old));
            batch.Finished.Add(new JournaledResult(2, [2], old));
            batch.Finished.Add(new JournaledResult(3, [3], old));
            batch.Acknowledged.Add(1);
            batch.Acknowledged.Add(3);
            await AppendAsync(journal, batch);
            Assert.Equal(2, journal.Purge(DateTimeOffset.UtcNow.AddDays(-1)));
            Assert.Equal([2L], journal.ReadResults([1, 2, 3]).Select(r => r.TaskId));
        }

        await using var reopened = Open();
        Assert.Equal(4, reopened.Load().NextTaskId);
    }

    [Fact]
    public async Task Load_CorruptFile_IsRefusedNamingFreshJournal_AndFreshMovesItAside()
    {
        await File.WriteAllBytesAsync(JournalPath, [.. Enumerable.Repeat((byte)0x5a, 8192)]);
        await using (var journal = Open())
        {
            var refused = Assert.Throws<JournalException>(journal.Load);
            Assert.Contains(JournalPath, refused.Message, StringComparison.Ordinal);
            Assert.Contains("--fresh-journal", refused.Message, StringComparison.Ordinal);
        }

        await using var fresh = Open(fresh: true);
        var state = fresh.Load();
        Assert.Empty(state.Unfinished);
        Assert.Single(Directory.GetFiles(_folder, "journal.db.bad-*"));
    }

    [Fact]
    public async Task Load_AnotherSchemaVersion_IsRefusedNamingIt()
    {
        await using (var journal = Open())
        {
            journal.Load();
        }

        using (var connection = new SqliteConnection($"Data Source={JournalPath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE meta SET value = '99' WHERE key = 'schema'";
            command.ExecuteNonQuery();
        }

        await using var reopened = Open();
        var refused = Assert.Throws<JournalException>(reopened.Load);
        Assert.Contains("schema version 99", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--fresh-journal", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_JournalDeletedAfterThisStateFolderCreatedIt_IsRefused()
    {
        await using (var journal = Open())
        {
            journal.Load();
        }

        File.Delete(JournalPath);
        await using var reopened = Open();
        var refused = Assert.Throws<JournalException>(reopened.Load);
        Assert.Contains("missing", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--fresh-journal", refused.Message, StringComparison.Ordinal);
        await using var fresh = Open(fresh: true);
        Assert.Empty(fresh.Load().Clients);
    }

    [Fact]
    public async Task Lease_SecondOpener_IsRefusedAtOnceNamingThePid()
    {
        await using var first = new SqliteJournalLease(JournalPath);
        await first.AcquireAsync(_ => { }, CancellationToken.None);
        await using var second = new SqliteJournalLease(JournalPath);
        var refused = await Assert.ThrowsAsync<JournalException>(() => second.AcquireAsync(_ => { }, CancellationToken.None));
        Assert.Contains($"process {Environment.ProcessId}", refused.Message, StringComparison.Ordinal);
        await first.DisposeAsync();
        await second.AcquireAsync(_ => { }, CancellationToken.None);
    }
}
