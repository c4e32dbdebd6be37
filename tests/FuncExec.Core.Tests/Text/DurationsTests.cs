using FuncExec.Core.Text;

namespace FuncExec.Core.Tests.Text;

public sealed class DurationsTests
{
    [Theory]
    [InlineData(0, "0 ms")]
    [InlineData(0.25, "0.25 ms")]
    [InlineData(500, "500 ms")]
    [InlineData(999, "999 ms")]
    [InlineData(1000, "1 s")]
    [InlineData(1500, "1.5 s")]
    [InlineData(2000, "2 s")]
    [InlineData(59_000, "59 s")]
    [InlineData(60_000, "1 min")]
    [InlineData(90_000, "1.5 min")]
    [InlineData(3_600_000, "1 h")]
    [InlineData(86_400_000, "1 d")]
    [InlineData(-2000, "-2 s")]
    public void Format_Milliseconds_LargestUnitAtLeastOne(double milliseconds, string expected)
    {
        Assert.Equal(expected, Durations.Format(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Fact]
    public void Format_Infinite_SaysSo()
    {
        Assert.Equal("infinite", Durations.Format(Timeout.InfiniteTimeSpan));
    }
}
