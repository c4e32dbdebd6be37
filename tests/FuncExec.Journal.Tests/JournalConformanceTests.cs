using FuncExec.Scheduler.Journal;

namespace FuncExec.Journal.Tests;

/// <summary>
/// The contract of <see cref="ISchedulerJournal"/>, run against each store (a subclass per store): what one
/// scheduler appends is what the next one loads, callbacks run in append order once durable, and reports stay
/// readable by id until purged.
/// </summary>
public abstract class JournalConformanceTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    /// <summary>A new, empty journal, ready to be written (its lease held, when it has one).</summary>
    private protected abstract Task<ISchedulerJournal> OpenAsync();

    /// <summary>The journal <see cref="OpenAsync"/> opened last, opened again as a restarted scheduler would, after the first was disposed.</summary>
    private protected abstract Task<ISchedulerJournal> ReopenAsync();

    [Fact]
    public async Task Append_ManyBatchesWithoutWaiting_CallbacksRunInAppendOrderOnceDurable()
    {
        await using var journal = await OpenAsync();
        var order = new List<int>();
        var pendingSeen = new List<bool>();
        var last = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        const int count = 200;
        for (var i = 0; i < count; i++)
        {
            var index = i;
            var batch = new JournalBatch();
            batch.Submitted.Add(Task(index + 1, "a"));
            journal.Append(batch, () =>
            {
                lock (order)
                {
                    order.Add(index);
                }

                if (index == count - 1)
                {
                    last.SetResult();
                }
            });
        }

        await last.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(0, count), order);
        Assert.True(journal.IsPending(count), "the last batch's task is durable when its callback runs");
    }

    [Fact]
    public async Task Append_NullCallback_IsWrittenAndLaterCallbacksStillRun()
    {
        await using var journal = await OpenAsync();
        var first = new JournalBatch();
        first.Submitted.Add(Task(1, "a"));
        journal.Append(first, null);
        var second = new JournalBatch();
        second.Submitted.Add(Task(2, "a"));
        await CommitAsync(journal, second);

        Assert.True(journal.IsPending(1));
        Assert.True(journal.IsPending(2));
    }

    [Fact]
    public async Task Load_Empty_HasNothingAndStartsTaskIdsAtOne()
    {
        await using var journal = await OpenAsync();

        var state = journal.Load();

        Assert.Equal(1, state.NextTaskId);
        Assert.Empty(state.Clients);
        Assert.Empty(state.Computations);
        Assert.Empty(state.Unfinished);
        Assert.Empty(state.Undelivered);
    }

    [Fact]
    public async Task Load_AfterReopen_ReturnsUnfinishedTasksInIdOrderWithTheAttemptsStarted()
    {
        await using (var journal = await OpenAsync())
        {
            var batch = new JournalBatch();
            batch.Clients.Add(new JournaledClient("a", "client a", T0));
            batch.Submitted.Add(Task(5, "a", computation: 7, tag: 50));
            batch.Submitted.Add(Task(3, "a", tag: 30));
            batch.Submitted.Add(Task(4, "a", tag: 40));
            batch.Submitted.Add(Task(1, "a", tag: 10));
            await CommitAsync(journal, batch);
            var progress = new JournalBatch();
            progress.Started.Add((3, 1));
            progress.Started.Add((5, 2));
            progress.Started.Add((5, 1));
            progress.Finished.Add(Result(4));
            await CommitAsync(journal, progress);
        }

        await using var reopened = await ReopenAsync();
        var state = reopened.Load();

        Assert.Equal([1L, 3, 5], state.Unfinished.Select(t => t.Id));
        Assert.Equal([0, 1, 2], state.Unfinished.Select(t => t.Attempts));
        var five = state.Unfinished[2];
        Assert.Equal(("a", 7L, 50L), (five.OwnerToken, five.Computation, five.Tag));
        Assert.Equal(Spec(5), five.Spec);
        Assert.Equal(6, state.NextTaskId);
    }

    [Fact]
    public async Task Load_AfterReopen_ReturnsUndeliveredReportsOfClientsNotGoneOnly()
    {
        await using (var journal = await OpenAsync())
        {
            var batch = new JournalBatch();
            batch.Clients.Add(new JournaledClient("a", "client a", T0));
            batch.Clients.Add(new JournaledClient("b", "client b", T0));
            batch.Submitted.Add(Task(1, "a"));
            batch.Submitted.Add(Task(2, "a"));
            batch.Submitted.Add(Task(3, "b"));
            batch.Finished.Add(Result(1));
            batch.Finished.Add(Result(2));
            batch.Finished.Add(Result(3));
            await CommitAsync(journal, batch);
            var later = new JournalBatch();
            later.Acknowledged.Add(1);
            later.GoneClients.Add("b");
            await CommitAsync(journal, later);
        }

        await using var reopened = await ReopenAsync();
        var state = reopened.Load();

        var report = Assert.Single(state.Undelivered);
        Assert.Equal(2, report.TaskId);
        Assert.Equal("a", report.OwnerToken);
        Assert.Equal(Report(2), report.Report);
        Assert.Equal(T0.AddSeconds(2), report.Finished);
        Assert.Empty(state.Unfinished);
    }

    [Fact]
    public async Task Load_AfterReopen_ReturnsClientsNotGoneAndComputationsNotClosed()
    {
        await using (var journal = await OpenAsync())
        {
            var batch = new JournalBatch();
            batch.Clients.Add(new JournaledClient("a", "first name", T0));
            batch.Clients.Add(new JournaledClient("b", "client b", T0));
            batch.Computations.Add(new JournaledComputation(1, "a", "open one", true, [1, 2, 3]));
            batch.Computations.Add(new JournaledComputation(2, "a", "closed one", false, [4]));
            await CommitAsync(journal, batch);
            var later = new JournalBatch();
            later.Clients.Add(new JournaledClient("a", "second name", T0.AddMinutes(1)));
            later.ClosedComputations.Add(2);
            later.GoneClients.Add("b");
            await CommitAsync(journal, later);
        }

        await using var reopened = await ReopenAsync();
        var state = reopened.Load();

        var client = Assert.Single(state.Clients);
        Assert.Equal(("a", "second name", T0.AddMinutes(1)), (client.Token, client.Name, client.Seen));
        var computation = Assert.Single(state.Computations);
        Assert.Equal((1L, "a", "open one", true), (computation.Id, computation.OwnerToken, computation.Name, computation.Exclusive));
        Assert.Equal([1, 2, 3], computation.Components);
    }

    [Fact]
    public async Task Append_ClientGoneThenSeenAgainInALaterBatch_IsNotGone()
    {
        await using (var journal = await OpenAsync())
        {
            var seen = new JournalBatch();
            seen.Clients.Add(new JournaledClient("a", "client a", T0));
            await CommitAsync(journal, seen);

            // Appended back to back, so one commit may hold both: the later sighting must win.
            var gone = new JournalBatch();
            gone.GoneClients.Add("a");
            journal.Append(gone, null);
            var back = new JournalBatch();
            back.Clients.Add(new JournaledClient("a", "client a again", T0.AddMinutes(1)));
            await CommitAsync(journal, back);
        }

        await using var reopened = await ReopenAsync();
        var client = Assert.Single(reopened.Load().Clients);
        Assert.Equal("client a again", client.Name);
    }

    [Fact]
    public async Task Load_NextTaskId_StaysAboveEveryIdEverJournaledAfterPurge()
    {
        await using (var journal = await OpenAsync())
        {
            var batch = new JournalBatch();
            batch.Clients.Add(new JournaledClient("a", "client a", T0));
            for (var id = 1; id <= 10; id++)
            {
                batch.Submitted.Add(Task(id, "a"));
                batch.Finished.Add(Result(id));
                batch.Acknowledged.Add(id);
            }

            await CommitAsync(journal, batch);
            Assert.Equal(10, journal.Purge(T0.AddDays(1)));
        }

        await using var reopened = await ReopenAsync();
        Assert.Equal(11, reopened.Load().NextTaskId);
    }

    [Fact]
    public async Task ReadResults_AcknowledgedReport_LeavesUndeliveredButStaysReadableUntilPurged()
    {
        await using var journal = await OpenAsync();
        var batch = new JournalBatch();
        batch.Clients.Add(new JournaledClient("a", "client a", T0));
        batch.Submitted.Add(Task(1, "a"));
        batch.Submitted.Add(Task(2, "a"));
        batch.Finished.Add(Result(1));
        batch.Finished.Add(Result(2));
        await CommitAsync(journal, batch);
        var ack = new JournalBatch();
        ack.Acknowledged.Add(1);
        await CommitAsync(journal, ack);

        Assert.Equal([2L], journal.Load().Undelivered.Select(r => r.TaskId));
        var read = journal.ReadResults([1, 2]);
        Assert.Equal([(1L, true, "a"), (2L, false, "a")], read.Select(r => (r.TaskId, r.Acknowledged, r.OwnerToken)));
        Assert.Equal(Report(1), read[0].Report);
        Assert.Equal(T0.AddSeconds(1), read[0].Finished);

        Assert.Equal(0, journal.Purge(T0));
        Assert.Equal(2, journal.ReadResults([1, 2]).Count);
        Assert.Equal(1, journal.Purge(T0.AddDays(1)));
        Assert.Equal([2L], journal.ReadResults([1, 2]).Select(r => r.TaskId));
    }

    [Fact]
    public async Task ReadResults_UnknownAndUnfinishedIds_AreLeftOut()
    {
        await using var journal = await OpenAsync();
        var batch = new JournalBatch();
        batch.Submitted.Add(Task(1, "a"));
        batch.Submitted.Add(Task(2, "a"));
        batch.Finished.Add(Result(2));
        await CommitAsync(journal, batch);

        Assert.Equal([2L], journal.ReadResults([1, 2, 99]).Select(r => r.TaskId));
        Assert.Empty(journal.ReadResults([]));
    }

    [Fact]
    public async Task Purge_ClientGone_DeletesItAndItsOldReportsAcknowledgedOrNot()
    {
        await using var journal = await OpenAsync();
        var batch = new JournalBatch();
        batch.Clients.Add(new JournaledClient("a", "client a", T0));
        batch.Clients.Add(new JournaledClient("b", "client b", T0));
        batch.Submitted.Add(Task(1, "a"));
        batch.Submitted.Add(Task(2, "b"));
        batch.Finished.Add(Result(1));
        batch.Finished.Add(Result(2));
        await CommitAsync(journal, batch);
        var gone = new JournalBatch();
        gone.GoneClients.Add("b");
        await CommitAsync(journal, gone);

        // The clock of the journal's records is the real one: purge as of a time after everything.
        var deleted = journal.Purge(DateTimeOffset.UtcNow.AddDays(1));

        Assert.Equal(1, deleted);
        Assert.Equal([1L], journal.ReadResults([1, 2]).Select(r => r.TaskId));
        Assert.Equal(["a"], journal.Load().Clients.Select(c => c.Token));
    }

    [Fact]
    public async Task IsPending_SubmittedFinishedUnknown_TrueOnlyWhileUnfinished()
    {
        await using var journal = await OpenAsync();
        var batch = new JournalBatch();
        batch.Submitted.Add(Task(1, "a"));
        batch.Submitted.Add(Task(2, "a"));
        await CommitAsync(journal, batch);
        var finish = new JournalBatch();
        finish.Finished.Add(Result(2));
        await CommitAsync(journal, finish);

        Assert.True(journal.IsPending(1));
        Assert.False(journal.IsPending(2));
        Assert.False(journal.IsPending(3));
    }

    [Fact]
    public async Task Stats_CountsTasksAndReportsAndTheOldest()
    {
        await using var journal = await OpenAsync();
        var empty = journal.Stats();
        Assert.Equal((journal.Description, 0L, 0L, (DateTimeOffset?)null), (empty.Description, empty.Tasks, empty.Results, empty.Oldest));
        Assert.True(empty.Bytes > 0, $"an empty journal still takes room; said {empty.Bytes} bytes");

        var batch = new JournalBatch();
        batch.Submitted.Add(Task(1, "a"));
        batch.Submitted.Add(Task(2, "a"));
        batch.Submitted.Add(Task(3, "a"));
        batch.Finished.Add(Result(3));
        await CommitAsync(journal, batch);

        var stats = journal.Stats();
        Assert.Equal((2L, 1L), (stats.Tasks, stats.Results));

        // The report finished long ago (T0 + 3 s); the submissions were written now. A store may count either as the
        // oldest record, but nothing older than the report and nothing from the future.
        Assert.NotNull(stats.Oldest);
        Assert.InRange(stats.Oldest.Value, T0.AddSeconds(3), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    /// <summary>Appends <paramref name="batch"/> and waits until its callback says it is durable.</summary>
    private protected static async Task CommitAsync(ISchedulerJournal journal, JournalBatch batch)
    {
        ArgumentNullException.ThrowIfNull(journal);
        var committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        journal.Append(batch, committed.SetResult);

        // Bounded so a writer that stopped fails the test instead of hanging it.
        await committed.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    private protected static JournaledTask Task(long id, string owner, long computation = 0, long tag = 0) => new(id, owner, computation, tag, Spec(id), 0);

    private protected static JournaledResult Result(long id) => new(id, Report(id), T0.AddSeconds(id));

    protected static byte[] Spec(long id) => [0x0a, (byte)id, 0xff, 0x00];

    protected static byte[] Report(long id) => [0x12, (byte)id, 0x00, 0x7f];
}
