using FuncExec.Core.Tasks;
using FuncExec.Journal;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler.Journal;
using Google.Protobuf;

namespace FuncExec.Scheduler.Tests;

/// <summary>Issue 10: what the scheduler journals, and what it rebuilds from a journal after a restart (a real SQLite file).</summary>
public sealed class JournalRecordTests : IDisposable
{
    private const string Token = "00112233445566778899aabbccddeeff";
    private readonly string _folder = Directory.CreateTempSubdirectory("funcexec-scheduler-journal-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private ISchedulerJournal OpenJournal() => JournalFactory.Open(Path.Combine(_folder, "journal.db"), new JournalOptions()).Journal;

    private static SubmittedTaskSpec Task(long tag, int retries = 0) => Specs.Of($"t{tag}", retries: retries, tag: tag);

    private static TaskResult Succeeded(TaskAssignment a) => new()
    {
        TaskId = a.TaskId,
        Attempt = a.Attempt,
        Outcome = TaskOutcome.Succeeded,
        StartedUnixUs = 1_000_000,
        FinishedUnixUs = 1_100_000,
    };

    private static (ClusterScheduler Scheduler, RecordingNode Node) Start(ISchedulerJournal journal, int workers)
    {
        var scheduler = new ClusterScheduler(null, journal);
        var node = new RecordingNode(workers);
        scheduler.AddNode(node, [.. Enumerable.Range(0, workers)]);
        for (var i = 0; i < workers; i++)
        {
            scheduler.WorkerReady(0, i);
        }

        return (scheduler, node);
    }

    [Fact]
    public async Task Submit_WithAJournal_IsAcceptedOnceCommitted_AndItsReportFollowsItsFinishedRecord()
    {
        await using var journal = OpenJournal();
        journal.Load();
        var (scheduler, node) = Start(journal, 1);
        var client = new JournaledObserver();
        var accepted = new TaskCompletionSource<long[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        scheduler.Submit(0, [Task(7), Task(8)], client, accepted.SetResult);
        var ids = await accepted.Task;
        Assert.True(journal.IsPending(ids[0]));

        scheduler.OnResults(0, 0, [Succeeded(node.Assigned[0][0])]);
        var reports = await client.WaitForAsync(1);
        Assert.Equal(ids[0], reports[0].Report.Id);
        // Delivered from the commit: the journal holds it already.
        var kept = Assert.Single(journal.ReadResults([ids[0]]));
        Assert.Equal((Token, false), (kept.OwnerToken, kept.Acknowledged));
        Assert.Equal(7, TaskReportMessage.Parser.ParseFrom(kept.Report).Tag);

        scheduler.Acknowledge(client, [ids[0]]);
        var acknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        scheduler.WhenDelivered(client, (_, _) => acknowledged.SetResult());
        await acknowledged.Task;
        Assert.True(Assert.Single(journal.ReadResults([ids[0]])).Acknowledged);
    }

    [Fact]
    public async Task Restore_TaskRunningWhenTheSchedulerDied_CountsThatAttemptUnderItsRetries()
    {
        long[] ids;
        await using (var crashed = OpenJournal())
        {
            crashed.Load();
            var (scheduler, _) = Start(crashed, 2);
            var accepted = new TaskCompletionSource<long[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            // Two running (one with a retry left, one without), one queued behind them.
            scheduler.Submit(0, [Task(1, retries: 1), Task(2, retries: 0), Task(3)], new JournaledObserver(), accepted.SetResult);
            ids = await accepted.Task;
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            scheduler.WhenDelivered(new JournaledObserver(), (_, _) => started.SetResult());
            await started.Task;
        }

        await using var journal = OpenJournal();
        var state = journal.Load();
        Assert.Equal(ids[^1] + 1, state.NextTaskId);
        Assert.Equal([1, 1, 0], state.Unfinished.Select(t => t.Attempts));
        var client = new JournaledObserver();
        var restarted = new ClusterScheduler(null, journal);
        var (requeued, failed) = restarted.Restore(state, _ => client);
        Assert.Equal((2, 1), (requeued, failed));
        var lost = Assert.Single(await client.WaitForAsync(1));
        Assert.Equal((ids[1], TaskState.Failed, "FuncExec.SchedulerRestarted"), (lost.Report.Id, lost.Report.State, lost.Report.Error!.Type));

        var node = new RecordingNode(2);
        restarted.AddNode(node, [0, 1]);
        restarted.WorkerReady(0, 0);
        restarted.WorkerReady(0, 1);
        Assert.Equal([ids[0], ids[2]], node.AllInOrder.Order());
        var again = node.Assigned.SelectMany(a => a).Single(a => a.TaskId == ids[0]);
        Assert.Equal(2, again.Attempt);
        var accepted2 = new TaskCompletionSource<long[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        restarted.Submit(0, [Task(4)], client, accepted2.SetResult);
        Assert.Equal(ids[^1] + 1, Assert.Single(await accepted2.Task));
    }

    [Fact]
    public async Task MapChunk_JournaledCompactly_ItsReportReadsBackAndAnUnfinishedChunkRunsAgainWithTheSameArguments()
    {
        static SubmittedTaskSpec Chunk(int first, long tag) => Specs.Of($"Noop[{first}..{first + 999}]", new TaskAssignment
        {
            Lambda = new LambdaMethodCall { MethodName = "Jobs.Noop" },
            ArgsJson = ByteString.CopyFromUtf8("[" + string.Join(',', Enumerable.Range(first, 1_000).Select(i => $"[{i}]")) + "]"),
            MapChunk = true,
        }, retries: 1, tag: tag);
        var chunks = new[] { Chunk(0, 1), Chunk(1_000, 2) };
        var results = "[" + string.Join(',', Enumerable.Range(0, 1_000)) + "]";
        long[] ids;
        await using (var crashed = OpenJournal())
        {
            crashed.Load();
            var (scheduler, node) = Start(crashed, 1);
            var client = new JournaledObserver();
            scheduler.ClientSeen(client, "mapper");
            var accepted = new TaskCompletionSource<long[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            scheduler.Submit(0, [.. chunks.Select(c => c.Clone())], client, accepted.SetResult);
            ids = await accepted.Task;
            var result = Succeeded(node.Assigned[0][0]);
            result.ResultJson = ByteString.CopyFromUtf8(results);
            scheduler.OnResults(0, 0, [result]);
            Assert.Equal(results, Assert.Single(await client.WaitForAsync(1)).Report.ResultJson);
        }

        await using var journal = OpenJournal();
        var state = journal.Load();
        // The finished chunk's report as its client and funcexec result read it.
        var kept = JournalEncoding.DecodeReport(Assert.Single(state.Undelivered).Report);
        Assert.Equal((1L, ids[0], results), (kept.Tag, kept.Id, kept.ResultJson.ToStringUtf8()));
        Assert.Equal(kept, JournalEncoding.DecodeReport(Assert.Single(journal.ReadResults([ids[0]])).Report));

        // The unfinished one (started when the scheduler stopped, a retry left) runs again with its arguments as sent.
        var restarted = new ClusterScheduler(null, journal);
        Assert.Equal((1, 0), restarted.Restore(state, _ => new JournaledObserver()));
        var node2 = new RecordingNode(1);
        restarted.AddNode(node2, [0]);
        restarted.WorkerReady(0, 0);
        var again = Assert.Single(node2.Assigned.SelectMany(a => a));
        Assert.Equal((ids[1], true), (again.TaskId, again.MapChunk));
        Assert.Equal(chunks[1].Assignment.ArgsJson, again.ArgsJson);
    }

    [Fact]
    public void Submit_WithoutAJournal_IsAcceptedBeforeSubmitReturns()
    {
        var scheduler = new ClusterScheduler();
        long[]? accepted = null;
        var ids = scheduler.Submit(0, [Task(1)], new JournaledObserver(), a => accepted = a);
        Assert.Equal(ids, accepted);
    }

    private sealed class JournaledObserver : ITaskObserver
    {
        private readonly Lock _lock = new();
        private readonly List<FinishedTask> _finished = [];
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string? JournalToken => Token;

        public void OnFinished(IReadOnlyList<FinishedTask> finished)
        {
            lock (_lock)
            {
                _finished.AddRange(finished);
                _changed.TrySetResult();
                _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        public async Task<IReadOnlyList<FinishedTask>> WaitForAsync(int count)
        {
            while (true)
            {
                Task changed;
                lock (_lock)
                {
                    if (_finished.Count >= count)
                    {
                        return [.. _finished];
                    }

                    changed = _changed.Task;
                }

                await changed;
            }
        }
    }
}
