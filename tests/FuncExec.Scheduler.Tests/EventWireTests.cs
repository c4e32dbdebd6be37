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
        var finished = ClusterEvent.TaskFinished(T0, 7, "boom", 42, TaskState.Failed, "n1/worker-0", [0], T0, T0.AddSeconds(1), 1) with { Error = error };

        var wire = ClusterEventMessage.Parser.ParseFrom(EventWire.ToWire(finished, 0)!.ToByteArray());
        var back = EventWire.FromWire(wire)!;
        Assert.Equal(ClusterEventKind.TaskFinished, back.Kind);

        Assert.Equal(error, back.Error);
        Assert.Equal("inner cause", Assert.Single(back.Error!.Inner).Message);
    }

    [Fact]
    public void FromWire_TaskFinishedWithoutAnError_HasNone()
    {
        var succeeded = ClusterEvent.TaskFinished(T0, 8, "fine", 0, TaskState.Succeeded, "n1/worker-0", [0], T0, T0, 1);

        var wire = EventWire.ToWire(succeeded, 0)!;
        var back = EventWire.FromWire(wire)!;
        Assert.Equal(ClusterEventKind.TaskFinished, back.Kind);

        Assert.Null(wire.Error);
        Assert.Null(back.Error);
    }

    public static TheoryData<ClusterEvent> EveryKind() =>
    [
        ClusterEvent.NodeJoined(T0, 1, "n1", 4),
        ClusterEvent.NodeLost(T0, 1, "n1", "silent for 10 s"),
        ClusterEvent.WorkerStarted(T0, 1, 2, "n1/worker-2", 2),
        ClusterEvent.WorkerDied(T0, 1, 2, "n1/worker-2", "exited with code 3"),
        ClusterEvent.TaskQueued(T0, 7, "t", 42),
        ClusterEvent.TaskStarted(T0, 7, "t", 42, "n1/worker-2", [2, 3], 2),
        ClusterEvent.TaskFinished(T0, 7, "t", 42, TaskState.TimedOut, "n1/worker-2", [2, 3], T0, T0.AddSeconds(1), 2),
        ClusterEvent.ComputationScheduled(T0, 42, "farm", exclusive: true),
        ClusterEvent.ComputationClosed(T0, 42, "farm"),
    ];

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void ToWireThenFromWire_EveryKind_ComesBackTheSame(ClusterEvent e)
    {
        var wire = ClusterEventMessage.Parser.ParseFrom(EventWire.ToWire(e, 0)!.ToByteArray());
        var back = EventWire.FromWire(wire)!;

        // Cores is a list, compared by its items; every other property by value.
        Assert.Equal(e.Cores, back.Cores);
        Assert.Equal(e, back with { Cores = e.Cores });
    }

    [Fact]
    public void FromWire_UnknownKind_IsSkipped()
    {
        Assert.Null(EventWire.FromWire(new ClusterEventMessage { Kind = "node-exploded" }));
    }
}
