using FuncExec.Slurm.Scaling;

namespace FuncExec.Cli.Tests.Slurm;

public sealed class AdaptivePolicyTests
{
    [Theory]
    [InlineData(0, 0, 4, 0, 5, 0)] // no work: the minimum
    [InlineData(0, 0, 4, 2, 5, 2)]
    [InlineData(0, 1, 4, 0, 5, 1)] // one core of work wants a node
    [InlineData(0, 4, 4, 0, 5, 1)]
    [InlineData(0, 5, 4, 0, 5, 2)] // ceil(5 / 4)
    [InlineData(3, 6, 4, 0, 5, 3)] // busy and queued count alike: ceil(9 / 4)
    [InlineData(0, 1000, 4, 0, 5, 5)] // the maximum caps it
    [InlineData(8, 0, 2, 1, 10, 4)] // busy alone keeps its nodes
    public void Target_IsCeilOfBusyPlusQueuedOverCoresClampedToMinAndMax(long busy, long queued, int cores, int min, int max, int expected) =>
        Assert.Equal(expected, AdaptivePolicy.Target(busy, queued, cores, min, max));

    [Fact]
    public void Target_CoresPerNodeNotKnownYet_AnyWorkAsksForOneNode()
    {
        Assert.Equal(1, AdaptivePolicy.Target(0, 64, null, 0, 8));
        Assert.Equal(0, AdaptivePolicy.Target(0, 0, null, 0, 8));
        Assert.Equal(3, AdaptivePolicy.Target(0, 64, null, 3, 8));
    }

    [Fact]
    public void Target_HostileCounts_NegativeReadAsNoneAndHugeOnesDoNotOverflow()
    {
        Assert.Equal(0, AdaptivePolicy.Target(-5, -1_000_000, 4, 0, 3));
        Assert.Equal(3, AdaptivePolicy.Target(long.MaxValue, long.MaxValue, 1, 0, 3));
        Assert.Equal(1, AdaptivePolicy.Target(0, 3, 0, 0, 3)); // zero cores a node: as not known
    }

    [Fact]
    public void Target_MaximumBelowMinimum_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => AdaptivePolicy.Target(0, 0, 1, 3, 2));

    [Fact]
    public void Plan_BelowTarget_SubmitsTheDifference()
    {
        var plan = AdaptivePolicy.Plan(3, [Running("1", idle: null)], TimeSpan.FromSeconds(10));

        Assert.Equal(2, plan.Submit);
        Assert.Empty(plan.Cancel);
        Assert.Empty(plan.Drain);
    }

    [Fact]
    public void Plan_AtTarget_DoesNothing() =>
        Assert.True(AdaptivePolicy.Plan(2, [Pending("1"), Running("2", idle: null)], TimeSpan.FromSeconds(10)).IsEmpty);

    [Fact]
    public void Plan_Adapting_CancelsQueuedJobsNewestFirst_ThenDrainsOnlyNodesIdleLongEnough_LongestIdleFirst()
    {
        PilotView[] pilots =
        [
            Running("1", idle: TimeSpan.FromSeconds(30)),
            Running("2", idle: TimeSpan.FromSeconds(5)),
            Running("3", idle: null),
            Running("4", idle: TimeSpan.FromSeconds(90)),
            Pending("5"),
            Pending("6"),
        ];

        var plan = AdaptivePolicy.Plan(0, pilots, TimeSpan.FromSeconds(10));

        Assert.Equal(0, plan.Submit);
        Assert.Equal(["6", "5"], plan.Cancel.Select(p => p.JobId));
        // Node 2 (idle 5 s) and node 3 (busy) stay: adaptation removes only what has been idle for the period.
        Assert.Equal(["4", "1"], plan.Drain.Select(p => p.JobId));
    }

    [Fact]
    public void Plan_Adapting_TakesNoMoreThanTheExcess()
    {
        var plan = AdaptivePolicy.Plan(2, [Running("1", TimeSpan.FromMinutes(1)), Running("2", TimeSpan.FromMinutes(2)), Running("3", TimeSpan.FromMinutes(3))], TimeSpan.FromSeconds(10));

        Assert.Empty(plan.Cancel);
        Assert.Equal(["3"], plan.Drain.Select(p => p.JobId));
    }

    [Fact]
    public void Plan_Adapting_RunningButNotJoined_IsLeftToJoin()
    {
        var plan = AdaptivePolicy.Plan(0, [new PilotView("1", Pending: false, Joined: false, Idle: null)], TimeSpan.Zero);

        Assert.True(plan.IsEmpty);
    }

    [Fact]
    public void Plan_Scaling_CancelsQueuedThenNotJoined_ThenDrainsIdleBeforeBusy()
    {
        PilotView[] pilots =
        [
            Running("1", idle: null),
            Running("2", idle: TimeSpan.FromSeconds(1)),
            new("3", Pending: false, Joined: false, Idle: null),
            Pending("4"),
        ];

        var plan = AdaptivePolicy.Plan(1, pilots, idlePeriod: null);
        Assert.Equal(["4", "3"], plan.Cancel.Select(p => p.JobId));
        Assert.Equal(["2"], plan.Drain.Select(p => p.JobId));

        var none = AdaptivePolicy.Plan(0, pilots, idlePeriod: null);
        Assert.Equal(["2", "1"], none.Drain.Select(p => p.JobId));
    }

    private static PilotView Pending(string id) => new(id, Pending: true, Joined: false, Idle: null);

    private static PilotView Running(string id, TimeSpan? idle) => new(id, Pending: false, Joined: true, Idle: idle, Node: $"n-{id}");
}
