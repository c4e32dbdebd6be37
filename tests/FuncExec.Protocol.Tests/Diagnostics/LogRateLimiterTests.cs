using FuncExec.Protocol.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace FuncExec.Protocol.Tests.Diagnostics;

public sealed class LogRateLimiterTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    [Fact]
    public void Admit_FloodFromOneAddress_OneLinePerIntervalWithTheCountSuppressed()
    {
        var time = new FakeTimeProvider();
        var limiter = new LogRateLimiter(Interval, time);

        Assert.Equal(new LogAdmission(true, 0, TimeSpan.Zero), limiter.Admit("127.0.0.1"));
        for (var i = 0; i < 523; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(19));
            Assert.False(limiter.Admit("127.0.0.1").Write);
        }

        time.Advance(Interval - TimeSpan.FromMilliseconds(19 * 523));
        var next = limiter.Admit("127.0.0.1");

        Assert.Equal(new LogAdmission(true, 523, Interval), next);
        Assert.False(limiter.Admit("127.0.0.1").Write);
    }

    [Fact]
    public void Admit_TwoAddresses_EachGetsItsOwnLine()
    {
        var limiter = new LogRateLimiter(Interval, new FakeTimeProvider());

        Assert.True(limiter.Admit("10.0.0.1").Write);
        Assert.True(limiter.Admit("10.0.0.2").Write);
        Assert.False(limiter.Admit("10.0.0.1").Write);
        Assert.False(limiter.Admit("10.0.0.2").Write);
    }

    [Fact]
    public void Admit_MoreAddressesThanItRemembers_NewOnesShareOneLineUntilOldOnesGoQuiet()
    {
        var time = new FakeTimeProvider();
        var limiter = new LogRateLimiter(Interval, time, maxKeys: 2);
        Assert.True(limiter.Admit("a").Write);

        Assert.True(limiter.Admit("b").Write);
        Assert.True(limiter.Admit("c").Write); // The first line of the shared entry.
        Assert.False(limiter.Admit("d").Write);
        Assert.False(limiter.Admit("e").Write);
        time.Advance(Interval);

        Assert.Equal(new LogAdmission(true, 0, TimeSpan.Zero), limiter.Admit("f"));
    }
}
