using FuncExec.Core.Telemetry;
using FuncExec.IntegrationTests.Distributed;
using FuncExec.IntegrationTests.Hostile;
using FuncExec.IntegrationTests.Worker;
using FuncExec.Node;
using FuncExec.Protocol.V1;
using Google.Protobuf;

namespace FuncExec.IntegrationTests.Telemetry;

/// <summary>A trace context is a peer's word like any other field: out of bounds or unparsable, it is ignored (the task
/// runs, in a trace of its own), never refused, and breaks nothing.</summary>
[Collection(TracingTestGroup.Name)]
public sealed class TraceContextHostileTests
{
    private const string Secret = "trace-secret";
    private const string Valid = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    public static TheoryData<string, string> Ignored => new()
    {
        { new string('x', 1024 * 1024), string.Empty },
        { "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0", string.Empty },
        { Valid + "0", string.Empty },
        { "00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01", string.Empty },
        { "00-00000000000000000000000000000000-b7ad6b7169203331-01", string.Empty },
        { "zz-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "a=b" },
        { "\u00e9\u00e9-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", string.Empty },
    };

    [Theory]
    [MemberData(nameof(Ignored))]
    public void TryRead_OutOfBoundsOrUnparsable_Ignored(string traceParent, string traceState)
    {
        Assert.False(TraceContext.TryRead(traceParent, traceState, out var context));
        Assert.Equal(default, context);
    }

    [Theory]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", true)]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-02", true)] // another flag, not the sampled one
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", false)]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03", false)]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0", false)] // short: not a context at all
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0G", false)]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0A", false)] // upper-case hex is not W3C
    [InlineData("", false)]
    public void IsSampledOut_OnlyAWellFormedFlagsFieldWithTheSampledBitUnset(string traceParent, bool sampledOut) =>
        Assert.Equal(sampledOut, TraceContext.IsSampledOut(traceParent));

    [Fact]
    public void TryRead_TraceStateOverItsBound_DroppedAloneAndTheParentKept()
    {
        Assert.True(TraceContext.TryRead(Valid, "a=" + new string('b', 1024 * 1024), out var context));
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", context.TraceId.ToHexString());
        Assert.Null(context.TraceState);
        Assert.True(TraceContext.TryRead(Valid, "a=b", out context));
        Assert.Equal("a=b", context.TraceState);
    }

    [Fact]
    public async Task Submit_RawClientWithGarbageOrHugeTraceContext_EveryTaskRunsAndTheSchedulerAnswers()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync("--secret", Secret);
        await using var _ = scheduler;
        await using var node = await FuncexecProcess.StartNodeAsync("--scheduler", address, "-c", "1", "--name", "traced", "--secret", Secret);
        await using var rogue = await RoguePeer.ConnectAsync(address, PeerRole.Client, "rogue", Secret);

        var submit = new SubmitTasks { Request = 1 };
        (string Parent, string State)[] contexts =
        [
            (new string('x', 1024 * 1024), string.Empty),
            ("00-" + new string('g', 32) + "-" + new string('h', 16) + "-01", "garbage"),
            (Valid, new string('=', 1024 * 1024)),
            (Valid, "vendor=value"),
            (string.Empty, new string('s', 100_000)),
        ];
        for (var i = 0; i < contexts.Length; i++)
        {
            submit.Tasks.Add(new SubmittedTaskSpec
            {
                Name = $"hostile-trace-{i}",
                Cores = 1,
                Tag = i,
                Assignment = new TaskAssignment
                {
                    Method = new MethodCall { Name = "System.Math.Max" },
                    ArgsJson = ByteString.CopyFromUtf8($"[{i},-1]"),
                    TraceParent = contexts[i].Parent,
                    TraceState = contexts[i].State,
                    TaskName = new string('n', 100_000),
                },
            });
        }

        rogue.Send(new ClusterEnvelope { Submit = submit });
        var accepted = (await rogue.ReceiveAsync(ClusterEnvelope.BodyOneofCase.SubmitAccepted)).SubmitAccepted;
        Assert.Equal(contexts.Length, accepted.TaskIds.Count);
        var reports = new List<TaskReportMessage>();
        while (reports.Count < contexts.Length)
        {
            reports.AddRange((await rogue.ReceiveAsync(ClusterEnvelope.BodyOneofCase.TaskReports)).TaskReports.Reports);
        }

        foreach (var report in reports.OrderBy(r => r.Tag))
        {
            Assert.Equal((TaskOutcome.Succeeded, report.Tag.ToString(System.Globalization.CultureInfo.InvariantCulture)), (report.Outcome, report.ResultJson.ToStringUtf8()));
        }

        rogue.Send(new ClusterEnvelope { StatusRequest = new StatusRequest { Request = 2 } });
        var status = (await rogue.ReceiveAsync(ClusterEnvelope.BodyOneofCase.StatusReply)).StatusReply;
        Assert.Single(status.Nodes.Single(n => n.Name == "traced").Workers);
        Assert.False(scheduler.HasExited);
        Assert.False(node.HasExited);
    }

    [Fact]
    public async Task Execute_TracingWorkerGivenGarbageTraceContext_RunsTheTaskInATraceOfItsOwn()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var node = await ScriptedNode.StartAsync(new NodeOptions { WorkerEnvironment = receiver.WorkerEnvironment });
        var garbage = new TaskAssignment
        {
            TaskId = 1,
            Attempt = 1,
            Method = new MethodCall { Name = "System.Math.Max" },
            ArgsJson = ByteString.CopyFromUtf8("[1,2]"),
            TraceParent = new string('x', 1024 * 1024),
            TraceState = new string('y', 1024 * 1024),
            TaskName = new string('n', 100_000),
        };
        var traced = garbage.Clone();
        traced.TaskId = 2;
        traced.TraceParent = Valid;
        traced.TraceState = "vendor=" + new string('v', 1024 * 1024);
        node.Assign(garbage, traced);

        Assert.Equal("2", (await node.ResultAsync(1)).ResultJson.ToStringUtf8());
        Assert.Equal(TaskOutcome.Succeeded, (await node.ResultAsync(2)).Outcome);
        var spans = (await receiver.WaitForAsync(received => received.Count(s => s.Name == "funcexec.execute") == 2)).Where(s => s.Name == "funcexec.execute").ToList();
        var own = spans.Single(s => s.Attributes[TraceContext.TaskId] == "1");
        Assert.Equal(string.Empty, own.ParentSpanId);
        Assert.Equal(TaskAssignment.MaxTracedNameLength, own.Attributes[TraceContext.TaskName].Length);
        var joined = spans.Single(s => s.Attributes[TraceContext.TaskId] == "2");
        Assert.Equal(("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"), (joined.TraceId, joined.ParentSpanId));
    }

    [Theory]
    [InlineData("not a uri")]
    [InlineData("http://")]
    [InlineData("ftp://127.0.0.1:1")]
    public async Task Execute_WorkerGivenAMalformedOtlpEndpoint_StillRunsTasks(string endpoint)
    {
        var environment = new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint, ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf" };
        await using var node = await ScriptedNode.StartAsync(new NodeOptions { WorkerEnvironment = environment });
        node.Assign(new TaskAssignment
        {
            TaskId = 1,
            Attempt = 1,
            Method = new MethodCall { Name = "System.Math.Max" },
            ArgsJson = ByteString.CopyFromUtf8("[1,2]"),
            TraceParent = Valid,
        });
        Assert.Equal("2", (await node.ResultAsync(1)).ResultJson.ToStringUtf8());
    }
}
