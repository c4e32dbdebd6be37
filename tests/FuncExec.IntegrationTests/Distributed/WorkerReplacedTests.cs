using FuncExec.Client;
using FuncExec.IntegrationTests.Hostile;
using FuncExec.Protocol.V1;
using FuncExec.TestJobs;
using Google.Protobuf;

namespace FuncExec.IntegrationTests.Distributed;

/// <summary>A node whose worker died and whose warm spare already took the slot says so in one WorkerLost
/// (<c>replaced</c>): the task waiting for that core goes to the slot at once, with no WorkerReady in between.</summary>
public sealed class WorkerReplacedTests
{
    private const string Secret = "replaced-secret";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task WorkerLost_Replaced_TheWaitingTaskIsAssignedToTheSameSlotWithoutAWorkerReady()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync("--secret", Secret, "--no-journal");
        await using var _ = scheduler;
        await using var node = await RoguePeer.JoinAsNodeAsync(address, "spare-node", Secret, workers: 1);
        await scheduler.WaitForAsync("node spare-node joined");
        node.Send(new ClusterEnvelope { WorkerReady = new WorkerReady { WorkerId = 0 } });

        await using var cluster = await RemoteCluster.ConnectAsync(address, new RemoteClusterOptions { Security = new() { Secret = Secret } });
        await using var computation = await cluster.ScheduleAsync();
        var killed = await computation.SubmitAsync(() => ApiJobs.Square(3));
        var waiting = await computation.SubmitAsync(() => ApiJobs.Square(4));

        // The only worker holds both: the first running, the second behind it.
        var held = new HashSet<long>();
        while (!held.Contains(killed.Id) || !held.Contains(waiting.Id))
        {
            var assign = (await node.ReceiveAsync(ClusterEnvelope.BodyOneofCase.NodeAssign)).NodeAssign;
            Assert.Equal(0, assign.WorkerId);
            held.UnionWith(assign.Tasks.Select(t => t.TaskId));
        }

        var lost = new WorkerLost { WorkerId = 0, Replaced = true, Unstarted = { waiting.Id } };
        lost.Ended.Add(new TaskResult
        {
            TaskId = killed.Id,
            Attempt = 1,
            Outcome = TaskOutcome.Killed,
            Error = new Protocol.V1.RemoteError { Type = "FuncExec.Killed", Message = "killed by its user", Retryable = false },
        });
        node.Send(new ClusterEnvelope { WorkerLost = lost });

        // No WorkerReady: the slot is up again because the message said the spare took it.
        var again = (await node.ReceiveAsync(ClusterEnvelope.BodyOneofCase.NodeAssign)).NodeAssign;
        Assert.Equal(0, again.WorkerId);
        var task = Assert.Single(again.Tasks);
        Assert.Equal(waiting.Id, task.TaskId);
        node.Send(new ClusterEnvelope
        {
            NodeResults = new NodeResults
            {
                WorkerId = 0,
                Results = { new TaskResult { TaskId = waiting.Id, Attempt = task.Attempt, Outcome = TaskOutcome.Succeeded, ResultJson = ByteString.CopyFromUtf8("16") } },
            },
        });

        Assert.Equal(16, await waiting.Result.WaitAsync(Patience));
        var report = await killed.Completion.WaitAsync(Patience);
        Assert.Equal(TaskState.Killed, report.State);
        Assert.DoesNotContain("dropped its WorkerLost", scheduler.Output, StringComparison.Ordinal);
    }
}
