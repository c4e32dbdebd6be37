using FuncExec.Client.Internal;
using FuncExec.Protocol.V1;
using Google.Protobuf;

namespace FuncExec.Client.Tests.Internal;

/// <summary>Reports a client keeps share the strings and core lists it already holds, and say what the messages said.</summary>
public sealed class ReportStringsTests
{
    // A fresh string instance each call, as the protobuf parser makes one per message.
    private static string Fresh(string text) => new(text.AsSpan());

    private static TaskReportMessage Message(long id, string name, string worker, params int[] cores)
    {
        var message = new TaskReportMessage
        {
            Id = id,
            Tag = id,
            Name = Fresh(name),
            Worker = Fresh(worker),
            Outcome = TaskOutcome.Succeeded,
            ResultJson = ByteString.CopyFromUtf8("[" + id + "]"),
            StartedUnixUs = 1_000_000,
            FinishedUnixUs = 2_000_000,
        };
        message.Cores.AddRange(cores);
        return message;
    }

    [Fact]
    public void Read_SharesTheCallersNameTheWorkerNameAndAOneCoreList_AndKeepsEveryValue()
    {
        var strings = new ReportStrings();
        var callersName = Fresh("noop-1");

        var first = strings.Read(Message(1, "noop-1", "vm/worker-0", 0), callersName);
        var second = strings.Read(Message(2, "noop-2", "vm/worker-0", 0), callersName);
        var wide = strings.Read(Message(3, "wide", "vm/worker-1", 0, 1));

        Assert.Same(callersName, first.Name);
        Assert.Equal("noop-2", second.Name);
        Assert.Same(first.Worker, second.Worker);
        Assert.Equal("vm/worker-0", first.Worker);
        Assert.Same(first.Cores, second.Cores);
        Assert.Equal([0], first.Cores);
        Assert.Equal([0, 1], wide.Cores);
        Assert.Equal(("[1]", TaskState.Succeeded, 1L), (first.ResultJson, first.State, first.Id));
        Assert.Equal(first.Started!.Value.AddSeconds(1), first.Finished);

        // The shared list cannot be changed by whoever holds one report.
        var list = Assert.IsAssignableFrom<IList<int>>(first.Cores);
        Assert.Throws<NotSupportedException>(() => list[0] = 7);
        Assert.Equal([0], second.Cores);
    }

    [Fact]
    public void Read_MoreWorkerNamesThanItKeeps_EachReportStillSaysItsOwn()
    {
        var strings = new ReportStrings();
        for (var i = 0; i < ReportStrings.MaxWorkerNames + 100; i++)
        {
            Assert.Equal($"node/worker-{i}", strings.Read(Message(i, "t", $"node/worker-{i}", 5_000)).Worker);
        }

        Assert.Null(strings.Read(Message(1, "t", string.Empty)).Worker);
        Assert.Equal([5_000], strings.Read(Message(1, "t", "w", 5_000)).Cores);
    }
}
