using System.Text;
using FuncExec.Core.Functions.Lambdas;
using FuncExec.Protocol.V1;
using FuncExec.TestJobs;
using Google.Protobuf;

namespace FuncExec.IntegrationTests.Worker;

/// <summary>
/// A real worker process driven frame by frame as its node would: messages, cancels, progress, lambda
/// tasks and computations.
/// </summary>
public sealed class WorkerProtocolTests
{
    private const string Jobs = "FuncExec.TestJobs.Jobs.";

    [Fact]
    public async Task Message_ToRunningTask_RepliesAfterEachAckAndBeforeItsResult()
    {
        await using var node = await ScriptedNode.StartAsync();
        node.Assign(Method(node, 1, "Echo", "[2]"));
        node.Message(1, "5");
        node.Message(1, "8");

        var first = (await node.NextAsync(WorkerEnvelope.BodyOneofCase.Message)).Message;
        node.Send(new WorkerEnvelope { MessageAck = new MessageAck { Sequence = first.Sequence } });
        var second = (await node.NextAsync(WorkerEnvelope.BodyOneofCase.Message)).Message;
        node.Send(new WorkerEnvelope { MessageAck = new MessageAck { Sequence = second.Sequence } });
        var result = await node.ResultAsync(1);

        Assert.Equal((1L, 0L, "10"), (first.FromTask, first.ToTask, first.PayloadJson.ToStringUtf8()));
        Assert.Equal((1L, 0L, "16"), (second.FromTask, second.ToTask, second.PayloadJson.ToStringUtf8()));
        Assert.True(first.Sequence > 0 && second.Sequence > 0 && first.Sequence != second.Sequence);
        Assert.Equal(TaskOutcome.Succeeded, result.Outcome);
        Assert.Equal("2", result.ResultJson.ToStringUtf8());
    }

    [Fact]
    public async Task Cancel_QueuedAndRunningTasks_QueuedOneNeverStartsRunningOneEndsCancelled()
    {
        await using var node = await ScriptedNode.StartAsync();
        node.Assign(Method(node, 1, "WaitForCancel", "[]", timeoutMs: 60_000), Method(node, 2, "Add", "[1,2]"));
        await node.NextAsync(WorkerEnvelope.BodyOneofCase.Started);

        node.Cancel(2);
        var unstarted = await node.ResultAsync(2);
        node.Cancel(1);
        var running = await node.ResultAsync(1);

        Assert.Equal(TaskOutcome.Cancelled, unstarted.Outcome);
        Assert.Equal(("FuncExec.TaskCancelled", "cancelled before it started", false), (unstarted.Error.Type, unstarted.Error.Message, unstarted.Error.Retryable));
        Assert.Equal(0, unstarted.StartedUnixUs);
        Assert.Equal(TaskOutcome.Cancelled, running.Outcome);
        Assert.Equal("FuncExec.TaskCancelled", running.Error.Type);
        Assert.False(running.Error.Retryable);
    }

    [Fact]
    public async Task Cancel_TaskThatIgnoresItsToken_SucceedsWithTheTokenSignalled()
    {
        await using var node = await ScriptedNode.StartAsync();
        node.Assign(Method(node, 1, "IgnoreCancelUntilMessage", "[]", timeoutMs: 60_000));
        await node.NextAsync(WorkerEnvelope.BodyOneofCase.Started);

        node.Cancel(1);
        node.Message(1, "\"go\"");
        var result = await node.ResultAsync(1);

        Assert.Equal(TaskOutcome.Succeeded, result.Outcome);
        Assert.Equal("true", result.ResultJson.ToStringUtf8());
    }

    [Fact]
    public async Task Message_InTheSameWriteAsItsTask_ReachesItWhileItRuns()
    {
        // The worker reads the task and the message in one read: the message must be taken before the task starts,
        // since the socket then has nothing more to wake the thread that reads while a task runs.
        await using var node = await ScriptedNode.StartAsync();
        var assign = new AssignTasks();
        assign.Tasks.Add(Method(node, 1, "Echo", "[1]"));
        node.SendTogether(
            new WorkerEnvelope { Assign = assign },
            new WorkerEnvelope { Message = new TaskMessage { ToTask = 1, PayloadJson = ByteString.CopyFromUtf8("4") } });

        var reply = (await node.NextAsync(WorkerEnvelope.BodyOneofCase.Message)).Message;
        node.Send(new WorkerEnvelope { MessageAck = new MessageAck { Sequence = reply.Sequence } });
        var result = await node.ResultAsync(1);

        Assert.Equal((1L, "8"), (reply.FromTask, reply.PayloadJson.ToStringUtf8()));
        Assert.Equal((TaskOutcome.Succeeded, "1"), (result.Outcome, result.ResultJson.ToStringUtf8()));
    }

    [Fact]
    public async Task Cancel_TaskThatNeverBlocksOnItsCore_EndsCancelled()
    {
        // The worker is pinned to one core and the task keeps it busy: the cancel is still read while it runs.
        await using var node = await ScriptedNode.StartAsync();
        node.Assign(Method(node, 1, "SpinUntilCancelled", "[]", timeoutMs: 60_000));
        await node.NextAsync(WorkerEnvelope.BodyOneofCase.Started);

        node.Cancel(1);
        var result = await node.ResultAsync(1);

        Assert.Equal((TaskOutcome.Cancelled, "FuncExec.TaskCancelled"), (result.Outcome, result.Error.Type));
    }

    [Fact]
    public async Task Frames_WhileATaskRunsAndBetweenTasks_AllActedOn()
    {
        // Frames read while a task runs, and after it by the worker's idle thread, reach what they are for.
        await using var node = await ScriptedNode.StartAsync();
        node.Assign(Method(node, 1, "WaitForCancel", "[]", timeoutMs: 60_000));
        await node.NextAsync(WorkerEnvelope.BodyOneofCase.Started);

        node.Assign(Method(node, 2, "Add", "[1,2]"), Method(node, 3, "Add", "[3,4]"));
        node.Send(new WorkerEnvelope { Revoke = new Revoke { TaskId = 3, Attempt = 1 } });
        var revoked = (await node.NextAsync(WorkerEnvelope.BodyOneofCase.Revoked)).Revoked;
        node.Cancel(1);
        var first = await node.ResultAsync(1);
        var second = await node.ResultAsync(2);
        node.Assign(Method(node, 4, "Add", "[5,6]"));
        var fourth = await node.ResultAsync(4);

        Assert.Equal((3L, true), (revoked.TaskId, revoked.Taken));
        Assert.Equal(TaskOutcome.Cancelled, first.Outcome);
        Assert.Equal((TaskOutcome.Succeeded, "3"), (second.Outcome, second.ResultJson.ToStringUtf8()));
        Assert.Equal((TaskOutcome.Succeeded, "11"), (fourth.Outcome, fourth.ResultJson.ToStringUtf8()));
        Assert.DoesNotContain(node.Seen, frame => frame.BodyCase == WorkerEnvelope.BodyOneofCase.Results && frame.Results.Results.Any(r => r.TaskId == 3));
    }

    [Fact]
    public async Task Message_ToQueuedTask_WaitsInItsInboxUntilItRuns()
    {
        await using var node = await ScriptedNode.StartAsync();
        node.Assign(Method(node, 1, "WaitForCancel", "[]", timeoutMs: 60_000), Method(node, 2, "Echo", "[1]"));
        await node.NextAsync(WorkerEnvelope.BodyOneofCase.Started);

        node.Message(2, "21");
        node.Cancel(1);
        var reply = (await node.NextAsync(WorkerEnvelope.BodyOneofCase.Message)).Message;
        node.Send(new WorkerEnvelope { MessageAck = new MessageAck { Sequence = reply.Sequence } });
        var result = await node.ResultAsync(2);

        Assert.Equal((2L, "42"), (reply.FromTask, reply.PayloadJson.ToStringUtf8()));
        Assert.Equal(TaskOutcome.Succeeded, result.Outcome);
    }

    [Fact]
    public async Task MessageAck_WithError_SendThrowsMessageNotDeliveredNamingTheTarget()
    {
        await using var node = await ScriptedNode.StartAsync();
        node.Assign(Method(node, 1, "SendTo", "[99,\"hi\"]"));

        var sent = (await node.NextAsync(WorkerEnvelope.BodyOneofCase.Message)).Message;
        node.Send(new WorkerEnvelope { MessageAck = new MessageAck { Sequence = sent.Sequence, Error = "task 99 is not running" } });
        var result = await node.ResultAsync(1);

        Assert.Equal((99L, 1L, "\"hi\""), (sent.ToTask, sent.FromTask, sent.PayloadJson.ToStringUtf8()));
        Assert.Equal("\"the message to task 99 was not delivered: task 99 is not running\"", result.ResultJson.ToStringUtf8());
    }

    [Fact]
    public async Task ReportProgress_ManyAtOnce_CoalescedAndTheLastSentBeforeTheResult()
    {
        await using var node = await ScriptedNode.StartAsync();
        node.Assign(Method(node, 1, "Progress", "[]"));

        var result = await node.ResultAsync(1);
        var progress = node.Seen.Where(f => f.BodyCase == WorkerEnvelope.BodyOneofCase.Progress).Select(f => f.Progress).ToList();

        Assert.Equal(TaskOutcome.Succeeded, result.Outcome);
        Assert.InRange(progress.Count, 1, 10);
        Assert.All(progress, p => Assert.Equal(1, p.TaskId));
        Assert.Equal((1.0, "step 10"), (progress[^1].Fraction, progress[^1].Message));
    }

    [Fact]
    public async Task Current_CodeWithoutContextParameter_SeesTheRunningTask()
    {
        await using var node = await ScriptedNode.StartAsync();
        node.Assign(Method(node, 17, "CurrentTaskId", "[]"));

        var result = await node.ResultAsync(17);

        Assert.Equal("17", result.ResultJson.ToStringUtf8());
    }

    [Fact]
    public async Task Lambda_PlainAndWithContext_BoundAndRun()
    {
        await using var node = await ScriptedNode.StartAsync();
        node.Assign(
            Lambda(node, 1, LambdaCapture.Capture(() => FuncExec.TestJobs.Jobs.Move(new Point(1, 2), 3))),
            Lambda(node, 2, LambdaCapture.Capture(ctx => FuncExec.TestJobs.Jobs.Echo(ctx, 1))),
            Lambda(node, 3, LambdaCapture.Capture(() => FuncExec.TestJobs.Jobs.Move(new Point(5, 5), 5))));

        var moved = await node.ResultAsync(1);
        node.Message(2, "4");
        var reply = (await node.NextAsync(WorkerEnvelope.BodyOneofCase.Message)).Message;
        node.Send(new WorkerEnvelope { MessageAck = new MessageAck { Sequence = reply.Sequence } });
        var echoed = await node.ResultAsync(2);
        var again = await node.ResultAsync(3);

        Assert.Equal("""{"X":4,"Y":2}""", moved.ResultJson.ToStringUtf8());
        Assert.Equal("8", reply.PayloadJson.ToStringUtf8());
        Assert.Equal("1", echoed.ResultJson.ToStringUtf8());
        Assert.Equal("""{"X":10,"Y":5}""", again.ResultJson.ToStringUtf8());
    }

    [Fact]
    public async Task Computation_Task_RunsInItsLoadContextAndFilesFolderThenTheWorkersAgain()
    {
        await using var node = await ScriptedNode.StartAsync();
        var folder = node.ComputationFolder(7);
        await File.WriteAllTextAsync(Path.Combine(folder, "data.txt"), "hello");
        var workerDirectory = Environment.CurrentDirectory;

        node.Assign(
            Method(node, 1, "Where", "[]", computation: 7),
            Method(node, 2, "ReadFile", "[\"data.txt\"]", computation: 7),
            Lambda(node, 3, LambdaCapture.Capture(ctx => FuncExec.TestJobs.Jobs.Where(ctx)), computation: 7),
            Method(node, 4, "Where", "[]"));

        Assert.Equal($"\"{folder}|{folder}|FuncExec.Computation.7\"", (await node.ResultAsync(1)).ResultJson.ToStringUtf8());
        Assert.Equal("\"hello\"", (await node.ResultAsync(2)).ResultJson.ToStringUtf8());
        Assert.Equal($"\"{folder}|{folder}|FuncExec.Computation.7\"", (await node.ResultAsync(3)).ResultJson.ToStringUtf8());
        Assert.Equal($"\"{workerDirectory}|{workerDirectory}|Default\"", (await node.ResultAsync(4)).ResultJson.ToStringUtf8());
    }

    [Fact]
    public async Task ComputationClosed_AfterItsTasksRan_ItsLoadContextUnloads()
    {
        await using var node = await ScriptedNode.StartAsync();
        node.ComputationFolder(8);
        node.Assign(
            Method(node, 1, "Move", """[{"x":1,"y":2},3]""", computation: 8),
            Lambda(node, 2, LambdaCapture.Capture(() => FuncExec.TestJobs.Jobs.Move(new Point(1, 2), 3)), computation: 8),
            Method(node, 3, "LoadContexts", "[]"));
        var before = (await node.ResultAsync(3)).ResultJson.ToStringUtf8();

        node.Send(new WorkerEnvelope { ComputationClosed = new Protocol.V1.ComputationClosed { Computation = 8 } });
        node.Assign(Method(node, 4, "LoadContexts", "[]"));
        var after = (await node.ResultAsync(4)).ResultJson.ToStringUtf8();

        Assert.Equal("""{"X":4,"Y":2}""", (await node.ResultAsync(2)).ResultJson.ToStringUtf8());
        Assert.Contains("FuncExec.Computation.8", before, StringComparison.Ordinal);
        Assert.DoesNotContain("FuncExec.Computation.8", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrepareComputation_HostileFrames_RefusedWithoutHarmAndTasksRunAsBefore()
    {
        await using var node = await ScriptedNode.StartAsync();
        node.ComputationFolder(7);
        var jobs = node.Store.PutAssembly(ScriptedNode.JobsPath);

        // Ids that are no computation's, or one that was never opened on this node.
        foreach (var id in new[] { 0L, -1L, long.MinValue, long.MaxValue, 99 })
        {
            var stray = new PrepareComputation { Computation = id };
            stray.Components.Add(jobs);
            node.Send(new WorkerEnvelope { PrepareComputation = stray });
        }

        // Component ids that are no SHA-256 or reach out of the store, an unknown component, and far more than the node
        // ever sends; lambda calls that name nothing real, with garbage types and no assembly.
        var hostile = new PrepareComputation { Computation = 7 };
        hostile.Components.Add(new ComponentRef { Sha256 = "../../../etc", FileName = "passwd" });
        hostile.Components.Add(new ComponentRef { Sha256 = new string('a', 64), FileName = "../../escape.dll" });
        hostile.Components.Add(new ComponentRef { Sha256 = new string('b', 64), FileName = "Unknown.dll" });
        hostile.Components.Add(new ComponentRef());
        for (var i = 0; i < 5_000; i++)
        {
            hostile.Components.Add(new ComponentRef { Sha256 = i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture), FileName = "Many.dll" });
            var lambda = new LambdaMethodCall { MethodName = i % 2 == 0 ? "No.Such.Type.Method" : new string('x', 300), Assembly = i % 3 == 0 ? null : jobs };
            lambda.ParameterTypes.Add(i % 2 == 0 ? "System.Int32[[[" : "Nope, Missing.Assembly");
            lambda.GenericArguments.Add("System.Collections.Generic.List`1[[<script>]]");
            hostile.Lambdas.Add(lambda);
        }

        node.Send(new WorkerEnvelope { PrepareComputation = hostile });

        // The worker is alive and runs the computation's tasks, from the same store, as before.
        node.Assign(
            Method(node, 1, "Add", "[1,2]", computation: 7),
            Lambda(node, 2, LambdaCapture.Capture(() => FuncExec.TestJobs.Jobs.Move(new Point(1, 2), 3)), computation: 7),
            Method(node, 3, "LoadContexts", "[]"));

        Assert.Equal((TaskOutcome.Succeeded, "3"), ((await node.ResultAsync(1)).Outcome, (await node.ResultAsync(1)).ResultJson.ToStringUtf8()));
        Assert.Equal("""{"X":4,"Y":2}""", (await node.ResultAsync(2)).ResultJson.ToStringUtf8());
        var contexts = (await node.ResultAsync(3)).ResultJson.ToStringUtf8();
        Assert.Contains("FuncExec.Computation.7", contexts, StringComparison.Ordinal);
        Assert.DoesNotContain("FuncExec.Computation.99", contexts, StringComparison.Ordinal);
        Assert.DoesNotContain("FuncExec.Computation.-", contexts, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrepareComputation_MoreComputationsThanTheCapWhileBusy_AtMostTheCapArePrepared()
    {
        await using var node = await ScriptedNode.StartAsync();
        var jobs = node.Store.PutAssembly(ScriptedNode.JobsPath);
        const int computations = Protocol.PreparationLimits.MaxComputations + 16;
        for (var id = 1; id <= computations; id++)
        {
            node.ComputationFolder(id);
        }

        // Busy with a task, the worker holds the requests until it is between tasks: what it holds is capped.
        node.Assign(Method(node, 1, "WaitForCancel", "[]", timeoutMs: 60_000));
        await node.NextAsync(WorkerEnvelope.BodyOneofCase.Started);
        for (var id = 1; id <= computations; id++)
        {
            var prepare = new PrepareComputation { Computation = id };
            prepare.Components.Add(jobs);
            node.Send(new WorkerEnvelope { PrepareComputation = prepare });
        }

        node.Cancel(1);
        node.Assign(Method(node, 2, "Add", "[2,3]"), Method(node, 3, "ComputationContexts", "[]"));

        Assert.Equal(TaskOutcome.Cancelled, (await node.ResultAsync(1)).Outcome);
        Assert.Equal("5", (await node.ResultAsync(2)).ResultJson.ToStringUtf8());
        var prepared = int.Parse((await node.ResultAsync(3)).ResultJson.ToStringUtf8(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(prepared, 1, Protocol.PreparationLimits.MaxComputations);
    }

    private static TaskAssignment Method(ScriptedNode node, long id, string name, string argsJson, long computation = 0, long timeoutMs = 0)
    {
        var task = new TaskAssignment
        {
            TaskId = id,
            Attempt = 1,
            Method = new MethodCall { Name = Jobs + name, Assembly = node.Store.PutAssembly(ScriptedNode.JobsPath) },
            ArgsJson = ByteString.CopyFromUtf8(argsJson),
            Computation = computation,
            TimeoutMs = timeoutMs,
        };
        return task;
    }

    private static TaskAssignment Lambda(ScriptedNode node, long id, LambdaCall call, long computation = 0)
    {
        var lambda = new LambdaMethodCall { MethodName = call.MethodName, Assembly = node.Store.PutAssembly(call.AssemblyPath) };
        lambda.ParameterTypes.Add(call.ParameterTypes);
        lambda.GenericArguments.Add(call.GenericArguments);
        return new TaskAssignment
        {
            TaskId = id,
            Attempt = 1,
            Lambda = lambda,
            ArgsJson = ByteString.CopyFrom(call.ArgumentsJson),
            Computation = computation,
        };
    }
}
