using FuncExec.Client;
using FuncExec.TestJobs;
using FuncExec.Tests.Metrics;
using static FuncExec.IntegrationTests.Tasks;

namespace FuncExec.IntegrationTests.Telemetry;

/// <summary>The client's instruments, counted in this process against real worker processes: what it submitted, the
/// reports it saw by outcome, and what it still waits for.</summary>
[Collection(MetricsTests.Name)]
public sealed class ClientMetricsTests
{
    private const string Outcome = "funcexec.task.outcome";

    [Fact]
    public async Task ClientInstruments_ComputationRunMapAndKill_SubmittedEqualsCompletedByOutcomeAndNothingPending()
    {
        using var metrics = new MetricRecorder();
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 1 });
        await using var computation = await cluster.ScheduleAsync();

        // A computation's tasks: two that succeed, one that fails, and a map of five items in two chunks.
        Assert.Equal(4, await computation.RunAsync(() => ApiJobs.Square(2)));
        Assert.Equal(9, await computation.RunAsync(() => ApiJobs.Square(3)));
        await Assert.ThrowsAsync<TaskFailedException>(() => computation.RunAsync(() => TracingJobs.Fail("on purpose")));
        Assert.Equal([0, 1, 4, 9, 16], await computation.MapAsync(Enumerable.Range(0, 5), x => ApiJobs.Square(x), new TaskOptions { ChunkSize = 3 }));

        // A run of specs: one succeeds, one names no method.
        var reports = await cluster.RunAsync([Method("max", "System.Math.Max", 1, 2), Method("missing", "System.Math.NoSuchMethod", 1)]);
        Assert.Equal([TaskState.Succeeded, TaskState.Failed], reports.Select(r => r.State));

        // A task that waits: pending while it runs, killed after.
        var sleeper = await computation.SubmitAsync(() => ApiJobs.Sleep(600_000));
        Assert.Equal(1, metrics.Delta("funcexec.client.tasks.pending"));
        Assert.Equal(TaskState.Killed, await sleeper.KillAsync());

        Assert.Equal(2 + 1 + 2 + 2 + 1, metrics.Delta("funcexec.client.tasks.submitted"));
        Assert.Equal(2 + 2 + 1, metrics.Delta("funcexec.client.tasks.completed", Outcome, "succeeded"));
        Assert.Equal(1 + 1, metrics.Delta("funcexec.client.tasks.completed", Outcome, "failed"));
        Assert.Equal(1, metrics.Delta("funcexec.client.tasks.completed", Outcome, "killed"));
        Assert.Equal(0, metrics.Delta("funcexec.client.tasks.completed", Outcome, "lost"));
        Assert.Equal(metrics.Delta("funcexec.client.tasks.submitted"), metrics.Delta("funcexec.client.tasks.completed"));
        Assert.Equal(0, metrics.Delta("funcexec.client.tasks.pending"));
        Assert.Equal(5, metrics.Delta("funcexec.client.map.items"));

        // One duration per report, by outcome, none negative.
        Assert.Equal(5, metrics.Count("funcexec.client.task.duration", Outcome, "succeeded"));
        Assert.Equal(2, metrics.Count("funcexec.client.task.duration", Outcome, "failed"));
        Assert.Equal(1, metrics.Count("funcexec.client.task.duration", Outcome, "killed"));
        Assert.True(metrics.Sum("funcexec.client.task.duration") > 0);
    }

    [Fact]
    public async Task ClientInstruments_ClusterDisposedWithTasksInFlight_TheirReportsCountedLost()
    {
        using var metrics = new MetricRecorder();
        var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 1 });
        var computation = await cluster.ScheduleAsync();
        var running = await computation.SubmitAsync(() => ApiJobs.Sleep(600_000));
        var queued = await computation.SubmitAsync(() => ApiJobs.Sleep(600_000));
        var run = cluster.RunAsync([Code("waits", "Thread.Sleep(600_000); return 1;")]);
        Assert.Equal(3, metrics.Delta("funcexec.client.tasks.pending"));

        await cluster.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => running.Result);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => queued.Result);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => run);
        await computation.DisposeAsync();
        Assert.Equal(3, metrics.Delta("funcexec.client.tasks.submitted"));
        Assert.Equal(3, metrics.Delta("funcexec.client.tasks.completed", Outcome, "lost"));
        Assert.Equal(3, metrics.Delta("funcexec.client.tasks.completed"));
        Assert.Equal(0, metrics.Delta("funcexec.client.tasks.pending"));
        Assert.Equal(0, metrics.Count("funcexec.client.task.duration"));
    }
}
