using FuncExec.Client;
using FuncExec.Core.Tasks;
using FuncExec.IntegrationTests.Distributed;
using FuncExec.Protocol.V1;
using FuncExec.TestJobs;
using Google.Protobuf;

namespace FuncExec.IntegrationTests.Hostile;

/// <summary>Issue 9: a node that knows the secret reports only on the tasks handed to it. A rogue node forges
/// results, lost workers, returned tasks, messages and progress for a good client's tasks running on a real node.</summary>
public sealed class RogueNodeTests
{
    private const string Secret = "roles-secret";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RogueNode_ForgesReportsForAnotherNodesTasks_DroppedLoggedOnceAndTheRunCompletesExactlyOnce()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync("--secret", Secret);
        await using var _ = scheduler;
        await using var node = await FuncexecProcess.StartNodeAsync("--scheduler", address, "-c", "2", "--name", "good", "--secret", Secret);
        await using var rogue = await RoguePeer.JoinAsNodeAsync(address, "rogue", Secret, workers: 2);
        await scheduler.WaitForAsync("node rogue joined");

        await using var cluster = await RemoteCluster.ConnectAsync(address, new RemoteClusterOptions { Security = new() { Secret = Secret } });
        await using var computation = await cluster.ScheduleAsync();
        // Two tasks that hold their workers until the test messages them, and four queued behind them.
        var gated = new[] { await computation.SubmitAsync(ctx => Jobs.Echo(ctx, 1)), await computation.SubmitAsync(ctx => Jobs.Echo(ctx, 2)) };
        var queued = new List<RemoteTask<int>>();
        for (var x = 3; x <= 6; x++)
        {
            var value = x;
            queued.Add(await computation.SubmitAsync(() => ApiJobs.Square(value)));
        }

        long[] ids = [.. gated.Select(t => t.Id), .. queued.Select(t => t.Id)];
        var perRound = Forge(rogue, ids);
        foreach (var kind in new[] { "NodeResults", "WorkerLost", "TasksReturned", "NodeTaskMessage", "NodeProgress", "WorkerReady" })
        {
            await scheduler.WaitForAsync($"dropped its {kind}");
        }

        // A second round is dropped and counted too, but not logged again.
        Forge(rogue, ids);
        var status = await WaitForRefusedAsync(cluster, 2 * perRound);

        Assert.Equal(2 * perRound, status.RefusedNodeReports);
        foreach (var (task, n) in gated.Select((t, i) => (t, i + 1)))
        {
            for (var i = 0; i < n; i++)
            {
                await task.SendAsync(10 * n + i);
                Assert.Equal(2 * (10 * n + i), await task.ReceiveAsync<int>().WaitAsync(Patience));
            }

            Assert.Equal(n, await task.Result.WaitAsync(Patience));
        }

        var squares = await Task.WhenAll(queued.Select(t => t.Result.WaitAsync(Patience)));
        Assert.Equal([9, 16, 25, 36], squares);
        foreach (var task in gated.Cast<RemoteTask>().Concat(queued))
        {
            var report = await task.Completion;
            Assert.Equal(TaskState.Succeeded, report.State);
            Assert.Equal(1, report.Attempts); // a forged lost worker did not run it again
            Assert.StartsWith("good/", report.Worker, StringComparison.Ordinal);
            Assert.Null(task.Progress);
        }

        foreach (var kind in new[] { "NodeResults", "WorkerLost", "TasksReturned", "NodeTaskMessage", "NodeProgress", "WorkerReady" })
        {
            Assert.Equal(1, Occurrences(scheduler.Output, $"dropped its {kind}"));
        }

        Assert.Contains("node rogue at 127.0.0.1", scheduler.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RogueNode_SaysItDrainsAgainAndAgainThenReadiesItsWorkers_OnlyItsOwnSlotsStopAndTasksRunOnTheGoodNode()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync("--secret", Secret);
        await using var _ = scheduler;
        await using var node = await FuncexecProcess.StartNodeAsync("--scheduler", address, "-c", "1", "--name", "good", "--secret", Secret);
        await using var rogue = await RoguePeer.JoinAsNodeAsync(address, "rogue", Secret, workers: 2);
        await scheduler.WaitForAsync("node rogue joined");

        // Draining speaks for the node that sends it, and only once: the rest change nothing, and its workers saying
        // they are ready after it are dropped (the node takes no work), not taken.
        for (var i = 0; i < 3; i++)
        {
            rogue.Send(new ClusterEnvelope { NodeDraining = new NodeDraining() });
        }

        rogue.Send(new ClusterEnvelope { WorkerReady = new WorkerReady { WorkerId = 0 } });
        rogue.Send(new ClusterEnvelope { WorkerReady = new WorkerReady { WorkerId = 1 } });
        // Nor does a lost worker whose spare took its place (WorkerLost.replaced) ready the slot of a draining node.
        rogue.Send(new ClusterEnvelope { WorkerLost = new WorkerLost { WorkerId = 0, Replaced = true } });
        await scheduler.WaitForAsync("node rogue is draining");
        await scheduler.WaitForAsync("its node is draining");

        await using var cluster = await RemoteCluster.ConnectAsync(address, new RemoteClusterOptions { Security = new() { Secret = Secret } });
        await using var computation = await cluster.ScheduleAsync();
        var squares = await computation.MapAsync(Enumerable.Range(1, 20), x => ApiJobs.Square(x)).WaitAsync(Patience);
        Assert.Equal(Enumerable.Range(1, 20).Select(x => x * x), squares);
        var nodes = await cluster.NodesAsync();
        Assert.All(nodes.Single(n => n.Name == "rogue").Workers, w => Assert.Equal("draining", w.State));
        Assert.All(nodes.Single(n => n.Name == "good").Workers, w => Assert.Equal("idle", w.State));
        Assert.Equal(1, Occurrences(scheduler.Output, "node rogue is draining"));
    }

    [Theory]
    [InlineData(0, "", "offers 0 workers")]
    [InlineData(5000, "", "offers 5000 workers")]
    [InlineData(-1, "", "pins a worker to core -1")]
    [InlineData(1, "bad\naddress", "gives an address that is not")]
    public async Task Register_FieldOutOfBounds_RefusedNamingItAndTheClusterRuns(int workers, string address, string expected)
    {
        var (scheduler, schedulerAddress) = await FuncexecProcess.StartSchedulerAsync("--secret", Secret);
        await using var _ = scheduler;
        await using var rogue = await RoguePeer.ConnectAsync(schedulerAddress, PeerRole.Node, "bounds", Secret);
        var register = new NodeRegister { Name = "bounds", Address = address };
        register.WorkerCores.AddRange(workers < 0 ? [workers] : Enumerable.Range(0, workers));

        rogue.Send(new ClusterEnvelope { NodeRegister = register });

        await scheduler.WaitForAsync(expected);
        await using var node = FuncexecProcess.Start("node", "--scheduler", schedulerAddress, "-c", "1", "--secret", Secret);
        // The scheduler's line, not the node's: the node says it joined on the Welcome, before the
        // scheduler has taken its registration.
        await scheduler.WaitForAsync("joined from");
        await using var cluster = await RemoteCluster.ConnectAsync(schedulerAddress, new RemoteClusterOptions { Security = new() { Secret = Secret } });
        var status = await cluster.QueryStatusAsync();
        Assert.Single(status.Nodes);
    }

    /// <summary>Sends one round of forged reports about <paramref name="ids"/>; returns how many items the scheduler should refuse.</summary>
    private static int Forge(RoguePeer rogue, long[] ids)
    {
        var results = new NodeResults { WorkerId = 0 };
        var lost = new WorkerLost { WorkerId = 1 };
        var returned = new TasksReturned { WorkerId = 0 };
        foreach (var id in ids)
        {
            results.Results.Add(new TaskResult { TaskId = id, Attempt = 1, Outcome = TaskOutcome.Succeeded, ResultJson = ByteString.CopyFromUtf8("666") });
            lost.Ended.Add(new TaskResult { TaskId = id, Attempt = 1, Outcome = TaskOutcome.Failed, Error = new Protocol.V1.RemoteError { Type = "X", Message = "forged", Retryable = true } });
            lost.Unstarted.Add(id);
            returned.TaskIds.Add(id);
            rogue.Send(new ClusterEnvelope
            {
                NodeTaskMessage = new NodeTaskMessage { WorkerId = 0, Message = new TaskMessage { FromTask = id, ToTask = 0, PayloadJson = ByteString.CopyFromUtf8("666") } },
            });
            rogue.Send(new ClusterEnvelope { NodeProgress = new TaskProgress { TaskId = id, Fraction = 0.66, Message = "forged" } });
        }

        rogue.Send(new ClusterEnvelope { NodeResults = results });
        rogue.Send(new ClusterEnvelope { WorkerLost = lost });
        rogue.Send(new ClusterEnvelope { TasksReturned = returned });
        // A worker it never registered: the whole report is one refusal.
        rogue.Send(new ClusterEnvelope { NodeResults = new NodeResults { WorkerId = 99, Results = { results.Results } } });
        rogue.Send(new ClusterEnvelope { WorkerReady = new WorkerReady { WorkerId = 7 } });
        // Nor does one it never registered come back through a spare's hand-over (WorkerLost.replaced).
        rogue.Send(new ClusterEnvelope { WorkerLost = new WorkerLost { WorkerId = 99, Replaced = true } });
        return (6 * ids.Length) + 3;
    }

    internal static async Task<StatusReply> WaitForRefusedAsync(RemoteCluster cluster, long count, bool fromClients = false)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var status = await cluster.QueryStatusAsync();
            if ((fromClients ? status.RefusedClientRequests : status.RefusedNodeReports) >= count || DateTime.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(20);
        }
    }

    internal static int Occurrences(string haystack, string needle)
    {
        var count = 0;
        for (var at = haystack.IndexOf(needle, StringComparison.Ordinal); at >= 0; at = haystack.IndexOf(needle, at + needle.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
