using FuncExec.Core.Tasks;
using FuncExec.Protocol.V1;
using Google.Protobuf;

namespace FuncExec.Scheduler.Tests;

public sealed class WireConversionsTests
{
    private static Protocol.V1.RemoteError DeepWire(int depth)
    {
        var error = new Protocol.V1.RemoteError { Type = "E", Message = "bottom" };
        for (var i = 0; i < depth; i++)
        {
            var outer = new Protocol.V1.RemoteError { Type = "E", Message = $"level {i}" };
            outer.Inner.Add(error);
            error = outer;
        }

        return error;
    }

    private static int Depth(IReadOnlyList<FuncExec.RemoteError> inner)
    {
        var depth = 0;
        for (var level = inner; level.Count > 0; level = level[0].Inner)
        {
            depth++;
        }

        return depth;
    }

    [Fact]
    public void ToModelThenToWire_TheResultsBytes_AreSharedNotCopied_AndReadAsTheSameText()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes("""[1,"h\u00e9",{"x":2}]""");
        var message = new TaskReportMessage { Id = 3, Name = "t", Outcome = TaskOutcome.Succeeded, ResultJson = UnsafeByteOperations.UnsafeWrap(bytes) };

        var report = message.ToModel();
        var wire = report.ToWire(tag: 9);

        // A session sends on the bytes the worker wrote: no text made of them on the way, no copy.
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(report.ResultUtf8, out var held));
        Assert.Same(bytes, held.Array);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(wire.ResultJson.Memory, out var sent));
        Assert.Same(bytes, sent.Array);
        Assert.Equal("""[1,"h\u00e9",{"x":2}]""", report.ResultJson);
    }

    [Fact]
    public void ToWire_AReportMadeWithText_SendsItsUtf8_AndNoResultSendsNothing()
    {
        var report = new TaskReport { Id = 1, Name = "t", State = TaskState.Succeeded, ResultJson = "\"h\u00e9\u00e9\"" };

        Assert.Equal("\"h\u00e9\u00e9\"", report.ToWire(1).ResultJson.ToStringUtf8());
        Assert.True(report.ToWire(1).ResultJson.Length == System.Text.Encoding.UTF8.GetByteCount(report.ResultJson));
        Assert.True((report with { ResultJson = null }).ToWire(1).ResultJson.IsEmpty);
        Assert.Null(new TaskReportMessage { Id = 1, Name = "t" }.ToModel().ResultJson);
    }

    [Fact]
    public void ToWireThenToModel_ErrorWithCauses_RoundTrips()
    {
        var error = new FuncExec.RemoteError("System.AggregateException", "two", "at A", Retryable: false)
        {
            Inner = [new("System.ArgumentException", "first", "at B", false) { Inner = [new("System.IO.IOException", "disk", null, false)] }, new("System.TimeoutException", "second", null, false)],
        };

        var wire = Protocol.V1.RemoteError.Parser.ParseFrom(error.ToWire().ToByteArray());
        var back = wire.ToModel();

        Assert.Equal(error with { Inner = [] }, back with { Inner = [] });
        Assert.Equal(["first", "second"], back.Inner.Select(e => e.Message));
        Assert.Equal("at B", back.Inner[0].StackTrace);
        Assert.Null(back.Inner[1].StackTrace);
        Assert.Equal("disk", Assert.Single(back.Inner[0].Inner).Message);
    }

    [Fact]
    public void ToModel_HostilePeerSendsHundredThousandWideChainOfHugeTexts_CutToTheBounds()
    {
        var huge = new string('x', 1_000_000);
        var wire = new Protocol.V1.RemoteError { Type = "E", Message = "top" };
        var cause = new Protocol.V1.RemoteError { Type = huge, Message = huge, StackTrace = huge };
        wire.Inner.AddRange(Enumerable.Repeat(cause, 100_000));

        var model = wire.ToModel();

        Assert.Equal(RemoteErrorBounds.MaxInner, model.Inner.Count);
        Assert.All(model.Inner, e =>
        {
            Assert.Equal(RemoteErrorBounds.MaxTypeLength, e.Type.Length);
            Assert.Equal(RemoteErrorBounds.MaxMessageLength, e.Message.Length);
            Assert.Equal(RemoteErrorBounds.MaxStackLength, e.StackTrace!.Length);
        });
    }

    [Fact]
    public void ToModel_TenThousandDeepChainInMemory_CutToMaxDepth()
    {
        var model = DeepWire(10_000).ToModel();

        Assert.Equal(RemoteErrorBounds.MaxDepth, Depth(model.Inner));
    }

    [Fact]
    public void Parse_TenThousandDeepChainFromAPeer_RefusedAsMalformed()
    {
        // Serialization is recursive too: build the bytes level by level instead of asking protobuf for them.
        var bytes = new Protocol.V1.RemoteError { Type = "E", Message = "bottom" }.ToByteArray();
        for (var i = 0; i < 10_000; i++)
        {
            var outer = new MemoryStream();
            var output = new CodedOutputStream(outer);
            output.WriteTag(Protocol.V1.RemoteError.InnerFieldNumber, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(bytes));
            output.Flush();
            bytes = outer.ToArray();
        }

        var result = new MemoryStream();
        var message = new CodedOutputStream(result);
        message.WriteTag(TaskResult.ErrorFieldNumber, WireFormat.WireType.LengthDelimited);
        message.WriteBytes(ByteString.CopyFrom(bytes));
        message.Flush();

        // The frame reader closes only the connection that sent it: the peer is refused, nobody else is touched.
        Assert.Throws<InvalidProtocolBufferException>(() => TaskResult.Parser.ParseFrom(result.ToArray()));
    }

    [Fact]
    public void OnResults_NodeReportsAHostileChain_ReportBoundedAndTheOtherTaskUnharmed()
    {
        var scheduler = new ClusterScheduler(new SchedulerOptions());
        var node = new RecordingNode(2);
        scheduler.AddNode(node, [0, 1]);
        scheduler.WorkerReady(0, 0);
        scheduler.WorkerReady(0, 1);
        var observer = new RecordingObserver();
        scheduler.Submit(
        [
            Specs.Of("hostile"),
            Specs.Of("fine"),
        ], observer);
        var hostile = DeepWire(90);
        hostile.Inner.AddRange(Enumerable.Range(0, 100_000).Select(i => new Protocol.V1.RemoteError { Type = "E", Message = $"{i}" }));
        hostile.Retryable = false;

        var first = node.Assigned[0][0];
        var second = node.Assigned[1][0];
        scheduler.OnResults(0, 0, [new TaskResult { TaskId = first.TaskId, Attempt = first.Attempt, Outcome = TaskOutcome.Failed, Error = hostile }]);
        scheduler.OnResults(0, 1, [new TaskResult { TaskId = second.TaskId, Attempt = second.Attempt, Outcome = TaskOutcome.Succeeded, ResultJson = ByteString.CopyFromUtf8("1") }]);

        var bounded = observer.Finished.Single(f => f.Report.Name == "hostile").Report.Error!;
        Assert.Equal(RemoteErrorBounds.MaxInner, bounded.Inner.Count);
        Assert.Equal(TaskState.Succeeded, observer.Finished.Single(f => f.Report.Name == "fine").Report.State);
    }
}
