using FuncExec.Node.Remote;
using FuncExec.Node.Tests.Components;

namespace FuncExec.Node.Tests.Remote;

/// <summary>Issue 9, point 6: a node that cannot reach a scheduler says why without filling its log.</summary>
public sealed class RetryLogTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(10);

    [Fact]
    public void Failed_SameReasonTenTimes_LoggedOnceThenSummarizedAfterTheThirdAndNinth()
    {
        var logger = new ListLogger();
        var log = new RetryLog(logger, "n1");

        for (var i = 0; i < 10; i++)
        {
            log.Failed("Network is unreachable", Delay);
        }

        Assert.Collection(
            logger.Warnings,
            w => Assert.Equal("node n1: cannot reach a scheduler (Network is unreachable); trying again in 10 s", w),
            w => Assert.StartsWith("node n1: 3 attempts to reach a scheduler failed so far (Network is unreachable)", w, StringComparison.Ordinal),
            w => Assert.StartsWith("node n1: 9 attempts to reach a scheduler failed so far", w, StringComparison.Ordinal));
    }

    [Fact]
    public void Failed_ReasonChanges_SummarizesTheOldOneAndLogsTheNew()
    {
        var logger = new ListLogger();
        var log = new RetryLog(logger, "n1");

        log.Failed("Network is unreachable", Delay);
        log.Failed("Network is unreachable", Delay);
        log.Failed("Connection refused", Delay);

        Assert.Collection(
            logger.Warnings,
            w => Assert.Contains("(Network is unreachable)", w, StringComparison.Ordinal),
            w => Assert.StartsWith("node n1: 2 attempts to reach a scheduler failed so far (Network is unreachable)", w, StringComparison.Ordinal),
            w => Assert.Equal("node n1: cannot reach a scheduler (Connection refused); trying again in 10 s", w));
    }

    [Fact]
    public void Failed_AfterJoining_TheSameReasonIsLoggedAfresh()
    {
        var logger = new ListLogger();
        var log = new RetryLog(logger, "n1");

        log.Failed("Connection refused", Delay);
        log.Joined();
        log.Failed("Connection refused", Delay);

        Assert.Equal(2, logger.Warnings.Count);
        Assert.All(logger.Warnings, w => Assert.StartsWith("node n1: cannot reach a scheduler (Connection refused)", w, StringComparison.Ordinal));
    }
}
