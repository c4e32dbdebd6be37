using FuncExec.Client;
using FuncExec.Core.Tasks;
using FuncExec.IntegrationTests.Distributed;
using FuncExec.Protocol.V1;
using FuncExec.TestJobs;
using Google.Protobuf;

namespace FuncExec.IntegrationTests.Hostile;

/// <summary>Issue 9: a client that knows the secret acts only on its own tasks and computations; <c>funcexec kill</c>
/// is the administrative way to end another client's task.</summary>
public sealed class RogueClientTests
{
    private const string Secret = "roles-secret";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RogueClient_KillsCancelsMessagesClosesAndSubmitsIntoAnothersWork_RefusedNamingItAndTheVictimCompletes()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync("--secret", Secret);
        await using var _ = scheduler;
        await using var node = await FuncexecProcess.StartNodeAsync("--scheduler", address, "-c", "2", "--name", "good", "--secret", Secret);
        var options = new RemoteClusterOptions { Security = new() { Secret = Secret } };
        await using var victim = await RemoteCluster.ConnectAsync(address, options);
        await using var computation = await victim.ScheduleAsync();
        var running = await computation.SubmitAsync(ctx => Jobs.Echo(ctx, 1));
        var other = await computation.SubmitAsync(ctx => Jobs.Echo(ctx, 1));
        var queued = await computation.SubmitAsync(() => ApiJobs.Square(7));
        await using var rogue = await RoguePeer.ConnectAsync(address, PeerRole.Client, "rogue", Secret);

        for (var round = 0; round < 2; round++)
        {
            foreach (var id in new[] { running.Id, queued.Id })
            {
                rogue.Send(new ClusterEnvelope { KillTask = new KillTask { TaskId = id } });
                var kill = (await rogue.ReceiveAsync(ClusterEnvelope.BodyOneofCase.KillReply)).KillReply;
                Assert.Equal(("refused", id), (kill.Outcome, kill.TaskId));
                Assert.Contains($"task {id} is another client's", kill.Error, StringComparison.Ordinal);

                rogue.Send(new ClusterEnvelope { CancelTask = new CancelTask { TaskId = id } });
                var cancel = (await rogue.ReceiveAsync(ClusterEnvelope.BodyOneofCase.CancelReply)).CancelReply;
                Assert.Equal(("refused", id), (cancel.Outcome, cancel.TaskId));
                Assert.Contains($"task {id} is another client's", cancel.Error, StringComparison.Ordinal);

                rogue.Send(new ClusterEnvelope { TaskMessage = new TaskMessage { ToTask = id, PayloadJson = ByteString.CopyFromUtf8("666"), Sequence = 1 } });
                var ack = (await rogue.ReceiveAsync(ClusterEnvelope.BodyOneofCase.MessageAck)).MessageAck;
                Assert.Contains($"task {id} is another client's", ack.Error, StringComparison.Ordinal);
            }

            rogue.Send(new ClusterEnvelope { CloseComputation = new CloseComputation { Computation = computation.Id } });
            var close = (await rogue.ReceiveAsync(ClusterEnvelope.BodyOneofCase.ComputationClosed)).ComputationClosed;
            Assert.Contains($"computation {computation.Id} was opened by another client", close.Error, StringComparison.Ordinal);

            var submit = new SubmitTasks { Request = 1, Computation = computation.Id };
            submit.Tasks.Add(new SubmittedTaskSpec { Name = "intruder", Cores = 1, Assignment = new TaskAssignment { Command = new CommandCall { File = "true" } } });
            rogue.Send(new ClusterEnvelope { Submit = submit });
            var refused = (await rogue.ReceiveAsync(ClusterEnvelope.BodyOneofCase.SubmitRefused)).SubmitRefused;
            Assert.Contains($"computation {computation.Id} was opened by another client", refused.Reason, StringComparison.Ordinal);
        }

        // funcexec kill is administrative: it ends another client's task, and the scheduler logs who did it.
        var (exitCode, stdout, _) = await Funcexec.RunAsync("kill", other.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--scheduler", address, "--secret", Secret);
        Assert.Equal(0, exitCode);
        Assert.Contains("being killed", stdout, StringComparison.Ordinal);
        Assert.Equal(TaskState.Killed, (await other.Completion.WaitAsync(Patience)).State);
        await scheduler.WaitForAsync($"administrative kill of task {other.Id}");

        await running.SendAsync(21);
        Assert.Equal(42, await running.ReceiveAsync<int>().WaitAsync(Patience));
        Assert.Equal(1, await running.Result.WaitAsync(Patience));
        Assert.Equal(49, await queued.Result.WaitAsync(Patience));
        Assert.Equal(1, (await running.Completion).Attempts);

        // The computation written into the assignment instead: the scheduler sets it from the submission's
        // (none here), so the task runs as the rogue's own: the victim's computation is not touched.
        var smuggled = new SubmitTasks { Request = 2 };
        smuggled.Tasks.Add(new SubmittedTaskSpec
        {
            Name = "smuggled",
            Cores = 1,
            Assignment = new TaskAssignment { Computation = computation.Id, Command = new CommandCall { File = "true" } },
        });
        rogue.Send(new ClusterEnvelope { Submit = smuggled });
        var accepted = (await rogue.ReceiveAsync(ClusterEnvelope.BodyOneofCase.SubmitAccepted)).SubmitAccepted;
        var report = (await rogue.ReceiveAsync(ClusterEnvelope.BodyOneofCase.TaskReports)).TaskReports.Reports.Single();
        Assert.Equal((accepted.TaskIds.Single(), TaskOutcome.Succeeded), (report.Id, report.Outcome));
        var status = await RogueNodeTests.WaitForRefusedAsync(victim, 16, fromClients: true);
        Assert.Equal(16, status.RefusedClientRequests);
        foreach (var kind in new[] { "kill", "cancel", "message", "close", "submit" })
        {
            Assert.Equal(1, RogueNodeTests.Occurrences(scheduler.Output, $"refused its {kind}:"));
        }
    }
}
