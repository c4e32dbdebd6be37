using FuncExec.Protocol.V1;
using FuncExec.Tests.Metrics;

namespace FuncExec.Scheduler.Tests;

/// <summary>The scheduler's instruments count what happens to tasks, at the points that make the dashboard's events.</summary>
[Collection(MetricsTests.Name)]
public sealed class SchedulerMetricsTests
{
    private const string Outcome = "funcexec.task.outcome";

    private static (ClusterScheduler Scheduler, RecordingNode Node) Start(int workers)
    {
        var scheduler = new ClusterScheduler();
        var node = new RecordingNode(workers);
        scheduler.AddNode(node, [.. Enumerable.Range(0, workers)]);
        for (var i = 0; i < workers; i++)
        {
            scheduler.WorkerReady(0, i);
        }

        return (scheduler, node);
    }

    private static TaskResult Result(TaskAssignment a, TaskOutcome outcome) => new()
    {
        TaskId = a.TaskId,
        Attempt = a.Attempt,
        Outcome = outcome,
        StartedUnixUs = 1_000_000,
        FinishedUnixUs = 1_250_000,
        Error = outcome == TaskOutcome.Succeeded ? null : new Protocol.V1.RemoteError { Type = "E", Message = "boom", Retryable = false },
    };

    [Fact]
    public void TasksFinished_EachOutcome_CountedUnderItsOwnTagWithItsDuration()
    {
        using var metrics = new MetricRecorder();
        var (scheduler, node) = Start(4);
        var observer = new RecordingObserver();
        scheduler.Submit([Specs.Of("ok"), Specs.Of("bad"), Specs.Of("slow"), Specs.Of("victim")], observer);

        scheduler.OnResults(0, 0, [Result(node.Assigned[0][0], TaskOutcome.Succeeded)]);
        scheduler.OnResults(0, 1, [Result(node.Assigned[1][0], TaskOutcome.Failed)]);
        scheduler.OnResults(0, 2, [Result(node.Assigned[2][0], TaskOutcome.TimedOut)]);
        scheduler.WorkerLost(0, 3, [Result(node.Assigned[3][0], TaskOutcome.Killed)], []);

        Assert.Equal(4, observer.Finished.Count);
        Assert.Equal(4, metrics.Delta("funcexec.tasks.submitted"));
        Assert.Equal(4, metrics.Delta("funcexec.tasks.started"));
        Assert.Equal(4, metrics.Delta("funcexec.tasks.finished"));
        foreach (var outcome in new[] { "succeeded", "failed", "timed_out", "killed" })
        {
            Assert.Equal(1, metrics.Delta("funcexec.tasks.finished", Outcome, outcome));
            Assert.Equal(0.25, metrics.Sum("funcexec.task.duration", Outcome, outcome), precision: 6);
        }

        Assert.Equal(4, metrics.Count("funcexec.task.queue_wait"));
    }

    [Fact]
    public void TasksRetried_FailureWithRetriesLeft_CountedOnceAndFinishedOnce()
    {
        using var metrics = new MetricRecorder();
        var (scheduler, node) = Start(1);
        var observer = new RecordingObserver();
        scheduler.Submit([Specs.Of("flaky", retries: 1)], observer);

        var first = node.Assigned[0][0];
        scheduler.OnResults(0, 0, [new TaskResult { TaskId = first.TaskId, Attempt = first.Attempt, Outcome = TaskOutcome.Failed }]);
        scheduler.OnResults(0, 0, [Result(node.Assigned[0][1], TaskOutcome.Succeeded)]);

        Assert.Equal(TaskState.Succeeded, observer.Finished.Single().Report.State);
        Assert.Equal(1, metrics.Delta("funcexec.tasks.submitted"));
        Assert.Equal(1, metrics.Delta("funcexec.tasks.retried"));
        Assert.Equal(2, metrics.Delta("funcexec.tasks.started"));
        Assert.Equal(1, metrics.Delta("funcexec.tasks.finished", Outcome, "succeeded"));
        Assert.Equal(0, metrics.Delta("funcexec.tasks.finished", Outcome, "failed"));
    }
}
