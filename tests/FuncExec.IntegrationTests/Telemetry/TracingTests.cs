using System.Diagnostics;
using FuncExec.Client;
using FuncExec.Core.Telemetry;
using FuncExec.TestJobs;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace FuncExec.IntegrationTests.Telemetry;

/// <summary>One trace per task, across processes: the client's, scheduler's and node's spans collected in this process
/// (the embedded cluster runs them here) by OpenTelemetry's in-memory exporter, the worker processes' spans by a real
/// OTLP receiver they export to.</summary>
[Collection(TracingTestGroup.Name)]
public sealed class TracingTests
{
    private const string TestSourceName = "FuncExec.IntegrationTests.Tracing";
    private static readonly ActivitySource TestSource = new(TestSourceName);

    [Fact]
    public async Task RunAsync_TracedClient_OneTraceFromSubmitThroughSchedulerNodeAndWorkerToTheTasksOwnActivity()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var exported = new List<Activity>();
        using var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(FuncExecTelemetry.Name)
            .AddSource(TestSourceName)
            .AddInMemoryExporter(exported)
            .Build();
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions
        {
            Workers = 1,
            WarmSpare = false,
            WorkerEnvironment = receiver.WorkerEnvironment,
        });
        await using var computation = await cluster.ScheduleAsync();

        string returned;
        TaskFailedException failed;
        ActivityTraceId traceId;
        ActivitySpanId rootId;
        using (var root = TestSource.StartActivity("test"))
        {
            Assert.NotNull(root);
            traceId = root.TraceId;
            rootId = root.SpanId;
            returned = await computation.RunAsync(() => TracingJobs.Child(), new TaskOptions { Name = "traced-child" });
            failed = await Assert.ThrowsAsync<TaskFailedException>(() => computation.RunAsync(() => TracingJobs.Fail("on purpose"), new TaskOptions { Name = "traced-failure" }));
        }

        Assert.Equal("System.InvalidOperationException", failed.Report.Error?.Type);
        var local = exported.ToArray().Where(a => a.TraceId == traceId).ToList();

        // In this process: submit under the caller's activity, then the scheduler's queue span, then the node's dispatch
        // span, and the result's way back under each.
        var submit = Single(local, "funcexec.submit", "traced-child");
        Assert.Equal(rootId, submit.ParentSpanId);
        Assert.Equal(ActivityKind.Producer, submit.Kind);
        var queue = Single(local, "funcexec.queue", "traced-child");
        Assert.Equal(submit.SpanId, queue.ParentSpanId);
        Assert.Equal(1, queue.GetTagItem(TraceContext.TaskAttempt));
        Assert.Equal(0, queue.GetTagItem(TraceContext.Worker));
        var dispatch = Single(local, "funcexec.dispatch", "traced-child");
        Assert.Equal(queue.SpanId, dispatch.ParentSpanId);
        Assert.Equal(dispatch.GetTagItem(TraceContext.Node), queue.GetTagItem(TraceContext.Node));
        Assert.Single(local, a => a.OperationName == "funcexec.result" && a.ParentSpanId == queue.SpanId);
        Assert.Single(local, a => a.OperationName == "funcexec.result" && a.ParentSpanId == dispatch.SpanId);
        var delivered = Assert.Single(local, a => a.OperationName == "funcexec.result" && a.ParentSpanId == submit.SpanId);
        Assert.Equal(("succeeded", ActivityKind.Consumer), (delivered.GetTagItem(TraceContext.Outcome), delivered.Kind));

        // From the worker process, by OTLP: the execute span under the node's, and the task's own activity under it.
        var trace = traceId.ToHexString();
        var spans = await receiver.WaitForAsync(received =>
            received.Count(s => s.TraceId == trace && s.Name == "funcexec.execute") == 2 && received.Any(s => s.TraceId == trace && s.Name == "testjobs.child"));
        var execute = spans.Single(s => s.TraceId == trace && s.Name == "funcexec.execute" && s.Attributes[TraceContext.TaskName] == "traced-child");
        Assert.Equal(dispatch.SpanId.ToHexString(), execute.ParentSpanId);
        Assert.Equal("FuncExec.TestJobs.TracingJobs.Child", execute.Attributes[TraceContext.TaskFunction]);
        Assert.Equal("1", execute.Attributes[TraceContext.TaskAttempt]);
        Assert.Equal("0", execute.Attributes[TraceContext.Worker]);
        Assert.Equal((string)dispatch.GetTagItem(TraceContext.Node)!, execute.Attributes[TraceContext.Node]);
        Assert.Equal((string)dispatch.GetTagItem(TraceContext.Cores)!, execute.Attributes[TraceContext.Cores]);
        Assert.Equal(0, execute.StatusCode);
        var child = spans.Single(s => s.TraceId == trace && s.Name == "testjobs.child");
        Assert.Equal(execute.SpanId, child.ParentSpanId);
        Assert.Equal($"{trace}/{execute.SpanId}", returned);

        // A failure marks its spans with the error's type.
        var failedExecute = spans.Single(s => s.TraceId == trace && s.Name == "funcexec.execute" && s.Attributes[TraceContext.TaskName] == "traced-failure");
        Assert.Equal(2, failedExecute.StatusCode);
        Assert.Equal("System.InvalidOperationException", failedExecute.Attributes[TraceContext.ErrorType]);
        var failedQueue = Single(local, "funcexec.queue", "traced-failure");
        var failedResult = Assert.Single(local, a => a.OperationName == "funcexec.result" && a.ParentSpanId == failedQueue.SpanId);
        Assert.Equal(ActivityStatusCode.Error, failedResult.Status);
        Assert.Equal("System.InvalidOperationException", failedResult.GetTagItem(TraceContext.ErrorType));
        var failedSubmit = Single(local, "funcexec.submit", "traced-failure");
        var failedDelivered = Assert.Single(local, a => a.OperationName == "funcexec.result" && a.ParentSpanId == failedSubmit.SpanId);
        Assert.Equal((ActivityStatusCode.Error, "failed"), (failedDelivered.Status, failedDelivered.GetTagItem(TraceContext.Outcome)));
    }

    [Fact]
    public async Task RunAsync_ClientSamplesTheTaskOut_NoHopTracesItNorTheActivitiesOfItsCode()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var exported = new List<Activity>();
        using var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(FuncExecTelemetry.Name)
            .SetSampler(new AlwaysOffSampler())
            .AddInMemoryExporter(exported)
            .Build();
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions
        {
            Workers = 1,
            WarmSpare = false,
            WorkerEnvironment = receiver.WorkerEnvironment,
        });
        await using var computation = await cluster.ScheduleAsync();

        // The worker traces (it exports, its sampler follows the parent), and so the task's own activity would start a
        // trace of its own if the worker had not been told the task was sampled out.
        Assert.Equal("untraced", await computation.RunAsync(() => TracingJobs.Child()));
        Assert.Empty(exported);
    }

    [Fact]
    public async Task RunAsync_NothingListens_NoTraceContextTravelsAndTheWorkerStartsNoTrace()
    {
        // No listener in this process (the tracing tests run alone), and none in the worker (no OTLP endpoint).
        Assert.False(FuncExecTelemetry.ActivitySource.HasListeners());
        var task = new FuncExec.Protocol.V1.SubmittedTaskSpec
        {
            Name = "untraced",
            Assignment = new FuncExec.Protocol.V1.TaskAssignment { Command = new FuncExec.Protocol.V1.CommandCall { File = "true" } },
        };
        FuncExec.Client.Internal.SubmitTracing.Trace(task);
        Assert.Equal((string.Empty, string.Empty, string.Empty), (task.Assignment.TraceParent, task.Assignment.TraceState, task.Assignment.TaskName));
        Assert.Null(TraceContext.StartChild("funcexec.queue", ActivityKind.Internal, default));

        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 1, WarmSpare = false });
        await using var computation = await cluster.ScheduleAsync();
        Assert.Equal("untraced", await computation.RunAsync(() => TracingJobs.Child()));
    }

    private static Activity Single(List<Activity> spans, string name, string taskName) =>
        Assert.Single(spans, a => a.OperationName == name && (string?)a.GetTagItem(TraceContext.TaskName) == taskName);
}
