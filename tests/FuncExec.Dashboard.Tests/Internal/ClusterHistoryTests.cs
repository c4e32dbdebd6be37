using FuncExec.Core.Tasks;
using FuncExec.Dashboard.Internal;
using Microsoft.Extensions.Time.Testing;

namespace FuncExec.Dashboard.Tests.Internal;

public sealed class ClusterHistoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 7, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Timeline_BackToBackTinyTasksOnACore_MergeIntoOneSpan()
    {
        var time = new FakeTimeProvider(T0.AddSeconds(10));
        var history = new ClusterHistory(100, TimeSpan.FromMinutes(5), time);
        var events = new List<ClusterEvent>();
        for (var i = 0; i < 1000; i++)
        {
            var start = T0.AddMilliseconds(i);
            events.Add(Finished(i + 1, "n1/worker-0", [0], start, start.AddMilliseconds(0.9)));
        }

        history.OnEvents(events);
        var timeline = history.Timeline(["n1/0", "n1/1"]);

        Assert.Equal(["n1/0", "n1/1"], timeline.Lanes);
        var span = Assert.Single(timeline.Spans);
        Assert.Equal(0, span.Lane);
        Assert.Equal(1000, span.Count);
        Assert.Equal(1, span.Task);
        Assert.Equal(T0.ToUnixTimeMilliseconds(), span.Start);
    }

    [Fact]
    public void Timeline_TwoCoreTask_BusiesBothLanesAndARunningTaskShowsOpen()
    {
        var time = new FakeTimeProvider(T0.AddSeconds(10));
        var history = new ClusterHistory(100, TimeSpan.FromMinutes(5), time);

        history.OnEvents([
            Finished(1, "n1/worker-0", [0, 1], T0, T0.AddSeconds(1)),
            ClusterEvent.TaskStarted(T0.AddSeconds(2), 2, "long", 0, "n1/worker-1", [1], 1),
        ]);
        var timeline = history.Timeline([]);

        Assert.Equal(["n1/0", "n1/1"], timeline.Lanes);
        Assert.Equal(2, timeline.Spans.Count(s => s.Task == 1));
        var open = Assert.Single(timeline.Spans, s => s.State == "running");
        Assert.Equal(1, open.Lane);
        Assert.Equal(time.GetUtcNow().ToUnixTimeMilliseconds(), open.End);
    }

    [Fact]
    public void Finished_MoreThanKept_KeepsTheLatestNewestFirst()
    {
        var history = new ClusterHistory(10, TimeSpan.FromMinutes(5), new FakeTimeProvider(T0));

        history.OnEvents([.. Enumerable.Range(1, 25).Select(i => Finished(i, "n1/worker-0", [0], T0, T0))]);

        Assert.Equal(Enumerable.Range(16, 10).Reverse().Select(i => (long)i), history.Finished(100).Select(t => t.Id));
        Assert.Equal([25L, 24L, 23L], history.Finished(3).Select(t => t.Id));
    }

    [Fact]
    public void Finished_KilledTaskWhoseReportHasNoStart_TakesTheStartTheSchedulerSaw()
    {
        var history = new ClusterHistory(10, TimeSpan.FromMinutes(5), new FakeTimeProvider(T0.AddSeconds(10)));

        history.OnEvents([
            ClusterEvent.TaskQueued(T0, 7, "long", 0),
            ClusterEvent.TaskStarted(T0.AddSeconds(1), 7, "long", 0, "n1/worker-0", [0], 1),
            ClusterEvent.TaskFinished(T0.AddSeconds(5), 7, "long", 0, TaskState.Killed, "n1/worker-0", [0], null, null, 1),
        ]);

        var killed = Assert.Single(history.Finished(10));
        Assert.Equal("killed", killed.State);
        Assert.Equal(T0.AddSeconds(1).ToUnixTimeMilliseconds(), killed.Started);
        Assert.Empty(history.Queued(10));
        Assert.Empty(history.Running());
        Assert.Contains(history.Timeline([]).Spans, s => s.State == "killed" && s.End - s.Start == 4000);
    }

    [Fact]
    public void Throughput_CountsTasksFinishedPerSecondWithinTheWindow()
    {
        var time = new FakeTimeProvider(T0.AddSeconds(3.5));
        var history = new ClusterHistory(10, TimeSpan.FromSeconds(60), time);

        history.OnEvents([
            Finished(1, "n1/worker-0", [0], T0, T0.AddSeconds(1.2)),
            Finished(2, "n1/worker-0", [0], T0, T0.AddSeconds(1.7)),
            Finished(3, "n1/worker-0", [0], T0, T0.AddSeconds(3.1)),
            Finished(4, "n1/worker-0", [0], T0, T0.AddSeconds(-600)), // older than the window
        ]);
        var throughput = history.Throughput();

        Assert.Equal(61, throughput.Counts.Count);
        Assert.Equal(T0.AddSeconds(3).ToUnixTimeSeconds(), throughput.Start + throughput.Counts.Count - 1);
        Assert.Equal([0, 2, 0, 1], throughput.Counts.TakeLast(4));
        Assert.Equal(3, throughput.Counts.Sum());
    }

    [Fact]
    public void Queued_BeyondTheSampleKept_StaysBounded()
    {
        var history = new ClusterHistory(10, TimeSpan.FromMinutes(5), new FakeTimeProvider(T0));

        history.OnEvents([.. Enumerable.Range(1, 100_000).Select(i => ClusterEvent.TaskQueued(T0, i, $"t{i}", 0))]);

        Assert.Equal(500, history.Queued(10_000).Count);
        Assert.Equal(1, history.Queued(1)[0].Id);
    }

    [Fact]
    public void Computations_TalliedWhileOpenAndListedOnceClosed()
    {
        var history = new ClusterHistory(10, TimeSpan.FromMinutes(5), new FakeTimeProvider(T0));

        history.OnEvents([
            ClusterEvent.ComputationScheduled(T0, 42, "farm", exclusive: true),
            Finished(1, "n1/worker-0", [0], T0, T0, computation: 42),
            Finished(2, "n1/worker-0", [0], T0, T0, computation: 42, state: TaskState.Failed),
        ]);
        var open = history.TallyOf(42);
        history.OnEvents([ClusterEvent.ComputationClosed(T0, 42, "farm")]);

        Assert.Equal((2, 1), open);
        var closed = Assert.Single(history.Closed());
        Assert.Equal((42L, "farm", true, false, 2L, 1L), (closed.Id, closed.Name, closed.Exclusive, closed.Open, closed.Done, closed.Failed));
        Assert.Equal(["computation", "computation"], history.Log().Select(e => e.Kind));
    }

    [Fact]
    public void Finished_FailedTaskWithCauses_RowCarriesTheSummaryAndErrorOfHasTheWholeChain()
    {
        var history = new ClusterHistory(10, TimeSpan.FromMinutes(5), new FakeTimeProvider(T0));
        var error = new RemoteError("System.InvalidOperationException", "outer " + new string('x', 500), "at Job.Run()")
        {
            Inner = [new RemoteError("System.ArgumentException", "inner cause", "at Job.Check()")],
        };

        history.OnEvents([
            Finished(1, "n1/worker-0", [0], T0, T0),
            Finished(2, "n1/worker-0", [0], T0, T0, state: TaskState.Failed) with { Error = error },
        ]);

        var rows = history.Finished(10);
        Assert.Equal(new string?[] { null, "System.InvalidOperationException" }, rows.Select(r => r.ErrorType).Reverse());
        Assert.Equal(RecentErrors.SummaryLength, rows[0].ErrorMessage!.Length);
        Assert.StartsWith("outer xxx", rows[0].ErrorMessage, StringComparison.Ordinal);
        Assert.Null(history.ErrorOf(1));
        var whole = history.ErrorOf(2)!;
        Assert.Equal((2L, "task-2", "failed"), (whole.Id, whole.Name, whole.State));
        Assert.Equal(error.Message, whole.Error.Message);
        Assert.Equal("at Job.Run()", whole.Error.Stack);
        var cause = Assert.Single(whole.Error.Inner);
        Assert.Equal(("System.ArgumentException", "inner cause", "at Job.Check()"), (cause.Type, cause.Message, cause.Stack));
    }

    [Fact]
    public void Finished_ManyFailedTasks_WholeErrorsKeptOnlyForTheLatest()
    {
        var history = new ClusterHistory(1000, TimeSpan.FromMinutes(5), new FakeTimeProvider(T0));

        history.OnEvents([.. Enumerable.Range(1, 1000).Select(i => Finished(i, "n1/worker-0", [0], T0, T0, state: TaskState.Failed) with { Error = new RemoteError("E", $"m{i}") })]);

        Assert.Equal(1000, history.Finished(1000).Count(r => r.ErrorType == "E"));
        Assert.Null(history.ErrorOf(1000 - RecentErrors.DefaultKept));
        Assert.Equal("m1000", history.ErrorOf(1000)!.Error.Message);
        Assert.Equal($"m{1001 - RecentErrors.DefaultKept}", history.ErrorOf(1001 - RecentErrors.DefaultKept)!.Error.Message);
    }

    private static ClusterEvent Finished(long id, string worker, int[] cores, DateTimeOffset started, DateTimeOffset finished, long computation = 0, TaskState state = TaskState.Succeeded) =>
        ClusterEvent.TaskFinished(finished, id, $"task-{id}", computation, state, worker, cores, started, finished, 1);
}
