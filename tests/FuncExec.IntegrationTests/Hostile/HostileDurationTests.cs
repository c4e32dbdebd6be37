using System.Net;
using System.Net.Sockets;
using FuncExec.IntegrationTests.Distributed;
using FuncExec.Protocol.V1;

namespace FuncExec.IntegrationTests.Hostile;

/// <summary>
/// Durations and worker ids that travel as numbers, from a rogue client and from a rogue scheduler: a timeout or a
/// grace beyond what a timer can wait, a negative one, a worker the node does not have. Each is refused by name or
/// clamped; none stops a node or a scheduler, and what the node logs of it stays one line of text (a task's timeout
/// of <c>long.MaxValue</c> once ended a node with an unhandled <see cref="ArgumentOutOfRangeException"/> when its
/// worker said the task started).
/// </summary>
public sealed class HostileDurationTests
{
    private const string Secret = "durations-secret";

    [Fact]
    public async Task RogueClient_TimeoutBeyond24DaysOrNegative_RefusedNamingTheField_GraceBeyondAnyTimerAnswered_NodeRunsOn()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync("--secret", Secret);
        await using var _ = scheduler;
        await using var node = await FuncexecProcess.StartNodeAsync("--scheduler", address, "-c", "1", "--secret", Secret);
        await using var rogue = await RoguePeer.ConnectAsync(address, PeerRole.Client, "rogue", Secret);
        rogue.Send(new ClusterEnvelope { OpenComputation = new OpenComputation { Request = 1, Name = "durations" } });
        var computation = (await rogue.ReceiveAsync(ClusterEnvelope.BodyOneofCase.ComputationOpened)).ComputationOpened.Computation;

        foreach (var (request, timeoutMs) in new[] { (2L, long.MaxValue), (3L, -1L), (4L, (24L * 24 * 3600 * 1000) + 1) })
        {
            rogue.Send(new ClusterEnvelope { Submit = Command(request, computation, timeoutMs) });
            var refused = (await rogue.ReceiveAsync(ClusterEnvelope.BodyOneofCase.SubmitRefused)).SubmitRefused;
            Assert.Equal(request, refused.Request);
            Assert.Contains($"timeout_ms {timeoutMs} is outside 0 (no timeout) to 2073600000 (24 days)", refused.Reason, StringComparison.Ordinal);
        }

        // The longest timeout there is runs, with its timer set on the node.
        rogue.Send(new ClusterEnvelope { Submit = Command(5, computation, 24L * 24 * 3600 * 1000) });
        var id = (await rogue.ReceiveAsync(ClusterEnvelope.BodyOneofCase.SubmitAccepted)).SubmitAccepted.TaskIds.Single();
        Assert.Equal((id, TaskOutcome.Succeeded), Outcome(await rogue.ReceiveAsync(ClusterEnvelope.BodyOneofCase.TaskReports)));

        // A cancel's grace of long.MaxValue milliseconds is answered, not a reason to drop the connection.
        rogue.Send(new ClusterEnvelope { CancelTask = new CancelTask { TaskId = id, GraceMs = long.MaxValue } });
        Assert.Equal(id, (await rogue.ReceiveAsync(ClusterEnvelope.BodyOneofCase.CancelReply)).CancelReply.TaskId);
        rogue.Send(new ClusterEnvelope { Submit = Command(6, computation, 0) });
        var next = (await rogue.ReceiveAsync(ClusterEnvelope.BodyOneofCase.SubmitAccepted)).SubmitAccepted.TaskIds.Single();
        Assert.Equal((next, TaskOutcome.Succeeded), Outcome(await rogue.ReceiveAsync(ClusterEnvelope.BodyOneofCase.TaskReports)));

        Assert.False(node.HasExited, $"the node exited:\n{node.Output}");
        Assert.False(scheduler.HasExited, $"the scheduler exited:\n{scheduler.Output}");
    }

    [Fact]
    public async Task RogueScheduler_PulseBeyondAnyTimer_NamesAWorkerTheNodeLacks_TimeoutAndGraceBeyondAnyTimer_ClampedRefusedByNameAndTheTaskRuns()
    {
        var dest = Directory.CreateTempSubdirectory("funcexec-durations-");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            await using var node = FuncexecProcess.Start("node", "--scheduler", $"127.0.0.1:{port}", "-c", "1", "--name", "clamped", "--secret", Secret, "--dest-path", dest.FullName);

            // A pulse interval beyond what a timer can wait is taken as a day.
            await using (var first = await RoguePeer.AcceptNodeAsync(listener, Secret, pulseMs: uint.MaxValue))
            {
                await first.ReceiveAsync(ClusterEnvelope.BodyOneofCase.WorkerReady);
                first.Send(Assign(workerId: 7, taskId: 1, timeoutMs: 0));
                // The node ends the session naming the id, and joins again.
                await node.WaitForAsync("the scheduler named worker 7; this node has workers 0 to 0");
            }

            await using var second = await RoguePeer.AcceptNodeAsync(listener, Secret);
            await second.ReceiveAsync(ClusterEnvelope.BodyOneofCase.WorkerReady);
            // A refused component's file name is logged as it came: escaped, so it cannot forge a line of the log.
            var forged = new ComponentRef { Sha256 = new string('0', 64), FileName = "x\0y\nfail: forged\u202e" };
            second.Send(new ClusterEnvelope { Component = new ComponentUpload { Component = forged } });
            second.Send(Assign(workerId: 0, taskId: 2, timeoutMs: long.MaxValue));
            var result = (await second.ReceiveAsync(ClusterEnvelope.BodyOneofCase.NodeResults)).NodeResults.Results.Single();
            Assert.Equal((2L, TaskOutcome.Succeeded), (result.TaskId, result.Outcome));

            second.Send(new ClusterEnvelope { NodeCancel = new NodeCancel { WorkerId = 0, TaskId = 2, Attempt = 1, GraceMs = long.MaxValue } });
            second.Send(Assign(workerId: 0, taskId: 3, timeoutMs: 0));
            result = (await second.ReceiveAsync(ClusterEnvelope.BodyOneofCase.NodeResults)).NodeResults.Results.Single();
            Assert.Equal((3L, TaskOutcome.Succeeded), (result.TaskId, result.Outcome));

            Assert.False(node.HasExited, $"the node exited:\n{node.Output}");
            Assert.DoesNotContain("Unhandled exception", node.Output, StringComparison.Ordinal);
            await node.WaitForAsync("refused component x\\u0000y fail: forged\\u202e");
            Assert.DoesNotContain(node.Output.Split('\n'), line => line.StartsWith("fail: forged", StringComparison.Ordinal) || line.Contains('\0', StringComparison.Ordinal));
        }
        finally
        {
            listener.Stop();
            dest.Delete(recursive: true);
        }
    }

    private static SubmitTasks Command(long request, long computation, long timeoutMs)
    {
        var submit = new SubmitTasks { Request = request, Computation = computation };
        submit.Tasks.Add(new SubmittedTaskSpec
        {
            Name = $"true-{request}",
            Cores = 1,
            Assignment = new TaskAssignment { TimeoutMs = timeoutMs, Command = new CommandCall { File = "true" } },
        });
        return submit;
    }

    private static ClusterEnvelope Assign(int workerId, long taskId, long timeoutMs)
    {
        var assign = new NodeAssign { WorkerId = workerId };
        assign.Tasks.Add(new TaskAssignment { TaskId = taskId, Attempt = 1, TimeoutMs = timeoutMs, Command = new CommandCall { File = "true" } });
        return new ClusterEnvelope { NodeAssign = assign };
    }

    private static (long Id, TaskOutcome Outcome) Outcome(ClusterEnvelope reports)
    {
        var report = reports.TaskReports.Reports.Single();
        return (report.Id, report.Outcome);
    }
}
