using FuncExec.Protocol.V1;
using Google.Protobuf;

namespace FuncExec.Scheduler.Tests;

public sealed class EventWireTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 7, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ToWireThenFromWire_FailedTaskWithCauses_CarriesTheErrorAndItsChain()
    {
        var error = new FuncExec.RemoteError("System.InvalidOperationException", "outer", "at Job.Run()", Retryable: false)
        {
            Inner = [new("System.ArgumentException", "inner cause", "at Job.Check()", false)],
        };
        var finished = new TaskFinished(T0, 7, "boom", 42, TaskState.Failed, "n1/worker-0", [0], T0, T0.AddSeconds(1), 1) { Error = error };

        var wire = ClusterEventMessage.Parser.ParseFrom(EventWire.ToWire(finished, 0)!.ToByteArray());
        var back = Assert.IsType<TaskFinished>(EventWire.FromWire(wire));

        Assert.Equal(error, back.Error);
        Assert.Equal("inner cause", Assert.Single(back.Error!.Inner).Message);
    }

    [Fact]
    public void FromWire_TaskFinishedWithoutAnError_HasNone()
    {
        var succeeded = new TaskFinished(T0, 8, "fine", 0, TaskState.Succeeded, "n1/worker-0", [0], T0, T0, 1);

        var wire = EventWire.ToWire(succeeded, 0)!;
        var back = Assert.IsType<TaskFinished>(EventWire.FromWire(wire));

        Assert.Null(wire.Error);
        Assert.Null(back.Error);
    }
}
