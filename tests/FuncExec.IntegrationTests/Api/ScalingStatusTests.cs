using System.Text.Json;
using FuncExec.Client;
using FuncExec.TestJobs;

namespace FuncExec.IntegrationTests.Api;

/// <summary>What an adaptive cluster manager reads from the scheduler (the cores queued work asks for, how long a node
/// has been idle) and what it tells it (its decisions, shown in status, the event stream and the log).</summary>
public sealed class ScalingStatusTests
{
    private const string Secret = "scaling-secret";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Status_WorkQueuedBehindABusyNode_CountsItsCoresAndTheNodeIsIdleOnlyOnceItsWorkEnds()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync("--secret", Secret);
        await using var _ = scheduler;
        await using var node = await FuncexecProcess.StartNodeAsync("--scheduler", address, "-c", "1", "--name", "only", "--secret", Secret);
        await using var cluster = await RemoteCluster.ConnectAsync(address, new RemoteClusterOptions { Security = new() { Secret = Secret } });
        await using var computation = await cluster.ScheduleAsync();
        var idle = await WaitForAsync(cluster, s => s.Nodes.Count == 1 && s.Nodes[0].Idle);
        Assert.Equal(0, idle.QueuedCores);

        // One task holds the only worker until messaged; three wait behind it, one a method by name.
        var holding = await computation.SubmitAsync(ctx => Jobs.Echo(ctx, 1));
        var waiting = new List<RemoteTask<int>>();
        for (var x = 2; x <= 3; x++)
        {
            var value = x;
            waiting.Add(await computation.SubmitAsync(() => ApiJobs.Square(value)));
        }

        var byName = await computation.SubmitAsync<JsonElement>(TaskSpec.ForMethod("System.Math.Max", 1, 2));
        var busy = await WaitForAsync(cluster, s => s.Running.Count == 1 && s.Queued == 3);
        Assert.Equal(3, busy.QueuedCores);
        Assert.False(busy.Nodes[0].Idle);

        await holding.SendAsync(5);
        Assert.Equal(10, await holding.ReceiveAsync<int>().WaitAsync(Patience));
        Assert.Equal(1, await holding.Result.WaitAsync(Patience));
        var squares = await Task.WhenAll(waiting.Select(t => t.Result.WaitAsync(Patience)));
        Assert.Equal([4, 9], squares);
        await byName.Completion.WaitAsync(Patience);

        var drained = await WaitForAsync(cluster, s => s.Nodes[0].Idle && s.Queued == 0);
        Assert.Equal(0, drained.QueuedCores);
        var later = await WaitForAsync(cluster, s => s.Nodes[0].Idle && s.Nodes[0].IdleMs > drained.Nodes[0].IdleMs);
        Assert.True(later.Nodes[0].Idle);
    }

    [Fact]
    public async Task NoteScaling_ShownInStatusTheEventStreamAndTheLog_AnOverlongOneRefusedAndCounted()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync("--secret", Secret);
        await using var _ = scheduler;
        await using var cluster = await RemoteCluster.ConnectAsync(address, new RemoteClusterOptions { Security = new() { Secret = Secret } });
        using var watching = new CancellationTokenSource(Patience);
        var events = cluster.StatusAsync(watching.Token).GetAsyncEnumerator(watching.Token);
        // The subscription is made by the first MoveNextAsync; a status round trip after it orders the note behind it.
        var first = events.MoveNextAsync().AsTask();
        await cluster.QueryStatusAsync();

        cluster.NoteScaling("asked for 2 more nodes: 8 cores queued, 0 idle", 2);
        cluster.NoteScaling(new string('x', 1_001), 3);

        await first;
        while (events.Current.Kind != ClusterEventKind.Scaling)
        {
            Assert.True(await events.MoveNextAsync());
        }

        Assert.Equal("asked for 2 more nodes: 8 cores queued, 0 idle", events.Current.Reason);
        Assert.Equal(2, events.Current.Workers);
        var status = await WaitForAsync(cluster, s => s.RefusedClientRequests == 1);
        var note = Assert.Single(status.Scaling);
        Assert.Equal("asked for 2 more nodes: 8 cores queued, 0 idle", note.Text);
        Assert.Equal(2, note.TargetNodes);
        Assert.False(string.IsNullOrEmpty(note.Client));
        await scheduler.WaitForAsync("scaling, by client");
        await scheduler.WaitForAsync("a scaling note of 1001 characters");
        await events.DisposeAsync();
    }

    private static async Task<Protocol.V1.StatusReply> WaitForAsync(RemoteCluster cluster, Func<Protocol.V1.StatusReply, bool> condition)
    {
        using var guard = new CancellationTokenSource(Patience);
        while (true)
        {
            var status = await cluster.QueryStatusAsync(guard.Token);
            if (condition(status))
            {
                return status;
            }

            await Task.Delay(50, guard.Token);
        }
    }
}
