using FuncExec.Client;
using FuncExec.Node.Remote;
using FuncExec.TestJobs;
using static FuncExec.IntegrationTests.Tasks;

namespace FuncExec.IntegrationTests.Api;

/// <summary>An embedded cluster disposed with work in flight: nothing waits for ever.</summary>
public sealed class DisposeTests
{
    [Fact]
    public async Task DisposeAsync_TasksStillRunning_TheyFailAsDisposedAndLaterCallsThrow()
    {
        var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 1 });
        var computation = await cluster.ScheduleAsync();
        var running = await computation.SubmitAsync(() => ApiJobs.Sleep(60_000));
        var queued = await computation.SubmitAsync(() => ApiJobs.Sleep(60_000));
        var run = cluster.RunAsync([Code("waits", "Thread.Sleep(60_000); return 1;")]);

        await cluster.DisposeAsync();

        var error = await Assert.ThrowsAsync<ObjectDisposedException>(() => running.Result.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("await its tasks before disposing the cluster", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => queued.Result.WaitAsync(TimeSpan.FromSeconds(30)));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));
        var later = await Assert.ThrowsAsync<ObjectDisposedException>(() => computation.RunAsync(() => ApiJobs.Sleep(1)).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("start another with Cluster.StartLocalAsync", later.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => cluster.RunAsync([Code("after", "return 1;")]).WaitAsync(TimeSpan.FromSeconds(30)));
        await computation.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        await cluster.DisposeAsync();
    }

    [Fact]
    public async Task DisposeAsync_StatusStreamOpen_TheStreamEnds()
    {
        var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 1 });
        var seen = new List<ClusterEvent>();
        var reading = Task.Run(async () =>
        {
            await foreach (var e in cluster.StatusAsync())
            {
                lock (seen)
                {
                    seen.Add(e);
                }
            }
        });
        await cluster.RunAsync(Code("one", "return 1;"));

        await cluster.DisposeAsync();

        await reading.WaitAsync(TimeSpan.FromSeconds(30));
        lock (seen)
        {
            Assert.Contains(seen, e => e.Kind == ClusterEventKind.TaskFinished);
        }
    }

    [Fact]
    public async Task SchedulerKilled_StatusStreamOfARemoteClusterNoReattach_EndsWithSchedulerUnreachable()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync();
        await using var _ = scheduler;
        await using var cluster = await Cluster.ConnectAsync(address, new RemoteClusterOptions { ReattachTime = TimeSpan.Zero });
        var stream = cluster.StatusAsync().GetAsyncEnumerator();
        var next = stream.MoveNextAsync().AsTask();

        scheduler.Kill();

        await Assert.ThrowsAsync<SchedulerUnreachableException>(() => next.WaitAsync(TimeSpan.FromSeconds(30)));
        await stream.DisposeAsync();
    }

    [Fact]
    public async Task DisposeAsync_ExclusiveComputationWaitingForItsTurn_ScheduleAsyncThrows()
    {
        var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 1 });
        await using var holder = await cluster.ScheduleAsync(new ComputationOptions { Exclusive = true });
        var waiting = cluster.ScheduleAsync(new ComputationOptions { Exclusive = true });

        await cluster.DisposeAsync();

        var error = await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("the local cluster was shut down", error.Message, StringComparison.Ordinal);
    }
}
