using System.Text.Json;
using FuncExec.Cli.Output;
using FuncExec.Protocol.V1;

namespace FuncExec.Cli.Tests.Output;

public sealed class StatusJsonTests
{
    private static StatusReply Status()
    {
        var node = new NodeStatus { Name = "n1", Address = "127.0.0.1:5000", LastPulseAgeMs = 1234, Connected = true, Index = 0 };
        node.Workers.Add(new WorkerStatus { WorkerId = 0, Core = 0, State = "busy", CurrentTask = 9_000_000_001, CurrentTaskName = "t", CpuPercent = 12.3f });
        var running = new RunningTaskStatus { Id = 9_000_000_001, Name = "t", Worker = "n1/worker-0", Attempt = 1 };
        running.Cores.AddRange([0, 1]);
        var reply = new StatusReply { SchedulerName = "s", Queued = 0, Clients = 2, RefusedNodeReports = 5 };
        reply.Nodes.Add(node);
        reply.Running.Add(running);
        return reply;
    }

    [Fact]
    public void Format_SixtyFourBitFields_AreNumbersAsInRunOutput()
    {
        using var json = JsonDocument.Parse(StatusJson.Format(Status()));
        var root = json.RootElement;
        var node = root.GetProperty("nodes")[0];
        Assert.Equal(JsonValueKind.Number, node.GetProperty("lastPulseAgeMs").ValueKind);
        Assert.Equal(1234, node.GetProperty("lastPulseAgeMs").GetInt64());
        Assert.Equal(9_000_000_001, node.GetProperty("workers")[0].GetProperty("currentTask").GetInt64());
        Assert.Equal(9_000_000_001, root.GetProperty("running")[0].GetProperty("id").GetInt64());
        Assert.Equal(5, root.GetProperty("refusedNodeReports").GetInt64());
        Assert.Equal(2, root.GetProperty("clients").GetInt32());
        Assert.Equal("[0,1]", root.GetProperty("running")[0].GetProperty("cores").GetRawText());
        Assert.Equal("12.3", node.GetProperty("workers")[0].GetProperty("cpuPercent").GetRawText());
    }

    [Fact]
    public void Format_DefaultValues_AreWrittenAndUnsetJournalIsNull()
    {
        using var json = JsonDocument.Parse(StatusJson.Format(Status()));
        var root = json.RootElement;
        Assert.Equal(0, root.GetProperty("queued").GetInt32());
        Assert.Equal(0, root.GetProperty("nodes")[0].GetProperty("workers")[0].GetProperty("workerId").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("journal").ValueKind);
    }
}
