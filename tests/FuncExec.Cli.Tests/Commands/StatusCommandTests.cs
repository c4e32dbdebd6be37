using FuncExec.Cli.Commands;
using FuncExec.Protocol.V1;

namespace FuncExec.Cli.Tests.Commands;

public sealed class StatusCommandTests
{
    private static StatusReply Status(int nodes, string nodeName = "n")
    {
        var reply = new StatusReply { SchedulerName = "s", Clients = 1 };
        for (var i = 0; i < nodes; i++)
        {
            var node = new NodeStatus { Name = $"{nodeName}{i}", Address = "127.0.0.1:40000", LastPulseAgeMs = 500, Connected = true, Index = i };
            node.Workers.Add(new WorkerStatus { WorkerId = 0, Core = 0, State = "busy", CurrentTask = 7, CurrentTaskName = new string('t', 120), CpuPercent = 50 });
            reply.Nodes.Add(node);
        }

        return reply;
    }

    private static string Print(StatusReply status, bool redirected, string? columns)
    {
        var output = new StringWriter();
        StatusCommand.Print(status, StatusCommand.CreateConsole(output, redirected, columns));
        return output.ToString();
    }

    [Fact]
    public void Print_Redirected_KeepsLongLinesWhole()
    {
        var text = Print(Status(1), redirected: true, columns: null);

        Assert.Contains($"{new string('t', 120)} (#7)", text, StringComparison.Ordinal);
        Assert.Contains("500 ms ago", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Print_ColumnsSet_HonoursIt()
    {
        var text = Print(Status(1), redirected: true, columns: "100");

        Assert.All(text.Split('\n'), line => Assert.True(line.TrimEnd('\r').Length <= 100, line));
        Assert.DoesNotContain($"{new string('t', 120)} (#7)", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, "scheduler s: 1 node, 1 worker, 0 queued, 0 running, 1 client (this one included)")]
    [InlineData(2, "scheduler s: 2 nodes, 2 workers, 0 queued, 0 running, 1 client (this one included)")]
    public void Print_Counts_ReadAsWords(int nodes, string header)
    {
        var text = Print(Status(nodes), redirected: true, columns: null);

        Assert.StartsWith(header + "\n", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Print_RunningTaskCores_AsRanges()
    {
        var status = Status(1);
        var running = new RunningTaskStatus { Id = 7, Name = "wide", Worker = "n0/worker-0", Attempt = 1 };
        running.Cores.AddRange([0, 1, 2, 3]);
        status.Running.Add(running);

        Assert.Contains("0-3", Print(status, redirected: true, columns: null), StringComparison.Ordinal);
    }

    [Fact]
    public void Print_QueuedCoresIdleNodesAndScalingDecisions_Shown()
    {
        var status = Status(2);
        status.Queued = 3;
        status.QueuedCores = 5;
        status.Nodes[1].Idle = true;
        status.Nodes[1].IdleMs = 90_000;
        status.Scaling.Add(new ScalingNoteStatus { TimeUnixUs = 1_700_000_000_000_000, Client = "adapt@login", Text = "asked for 2 more nodes: 5 cores queued", TargetNodes = 4 });

        var text = Print(status, redirected: true, columns: null);

        Assert.Contains("3 queued (5 cores asked), 0 running", text, StringComparison.Ordinal);
        Assert.Contains("500 ms ago, idle 1.5 min", text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n'), line => line.Contains("idle", StringComparison.Ordinal));
        Assert.Matches(@"scaling \d\d:\d\d:\d\d \(adapt@login\): asked for 2 more nodes: 5 cores queued", text);
    }
}
