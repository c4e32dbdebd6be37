using FuncExec.Protocol.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace FuncExec.Protocol.Tests.Resilience;

public sealed class BackoffTests
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(2);

    [Fact]
    public void NextDelay_NoJitter_DoublesUpToTheLongest()
    {
        var backoff = new Backoff(new BackoffOptions { InitialDelay = First, MaxDelay = Longest, Jitter = BackoffJitter.None }, new FakeTimeProvider());

        var delays = Enumerable.Range(0, 8).Select(_ => backoff.NextDelay().TotalMilliseconds).ToList();

        Assert.Equal([100, 200, 400, 800, 1600, 2000, 2000, 2000], delays);
        Assert.Equal(8, backoff.Attempts);
    }

    [Fact]
    public void NextDelay_ManyAttempts_NeverOverflowsPastTheLongest()
    {
        var backoff = new Backoff(new BackoffOptions { InitialDelay = First, MaxDelay = TimeSpan.MaxValue / 2, Jitter = BackoffJitter.None }, new FakeTimeProvider());

        for (var i = 0; i < 200; i++)
        {
            var delay = backoff.NextDelay();
            Assert.InRange(delay, First, TimeSpan.MaxValue / 2);
        }
    }

    [Theory]
    [InlineData(nameof(BackoffJitter.Equal))]
    [InlineData(nameof(BackoffJitter.Full))]
    public void NextDelay_Jittered_StaysWithinItsRangeOfTheExponentialDelay(string jitterName)
    {
        var jitter = Enum.Parse<BackoffJitter>(jitterName);
        for (var seed = 0; seed < 50; seed++)
        {
            var backoff = new Backoff(new BackoffOptions { InitialDelay = First, MaxDelay = Longest, Jitter = jitter }, new FakeTimeProvider(), new Random(seed));
            var exponential = First;
            for (var attempt = 0; attempt < 10; attempt++)
            {
                var delay = backoff.NextDelay();
                var low = jitter == BackoffJitter.Equal ? exponential / 2 : TimeSpan.Zero;
                Assert.InRange(delay, low, exponential);
                exponential = exponential * 2 < Longest ? exponential * 2 : Longest;
            }
        }
    }

    [Fact]
    public void NextDelay_Jittered_Varies()
    {
        var backoff = new Backoff(new BackoffOptions { InitialDelay = First, MaxDelay = Longest, Jitter = BackoffJitter.Full }, new FakeTimeProvider(), new Random(7));
        var delays = Enumerable.Range(0, 20).Select(_ =>
        {
            var delay = backoff.NextDelay();
            backoff.Reset();
            return delay;
        }).Distinct().Count();

        Assert.True(delays > 1);
    }

    [Fact]
    public void NextDelay_Decorrelated_StaysBetweenTheFirstAndTheLongest()
    {
        for (var seed = 0; seed < 50; seed++)
        {
            var backoff = new Backoff(new BackoffOptions { InitialDelay = First, MaxDelay = Longest, Jitter = BackoffJitter.Decorrelated }, new FakeTimeProvider(), new Random(seed));
            var last = First;
            for (var attempt = 0; attempt < 20; attempt++)
            {
                var delay = backoff.NextDelay();
                Assert.InRange(delay, First, Longest);
                Assert.True(delay <= last * 3, $"{delay} grew past three times the last wait {last}");
                last = delay;
            }
        }
    }

    [Fact]
    public void Reset_AfterGrowing_StartsFromTheFirstDelayAgain()
    {
        var backoff = new Backoff(new BackoffOptions { InitialDelay = First, MaxDelay = Longest, Jitter = BackoffJitter.None }, new FakeTimeProvider());
        backoff.NextDelay();
        backoff.NextDelay();

        backoff.Reset();

        Assert.Equal(First, backoff.NextDelay());
    }

    [Fact]
    public void NextDelay_NearTheDeadline_IsCutToWhatIsLeft()
    {
        var time = new FakeTimeProvider();
        var backoff = new Backoff(
            new BackoffOptions { InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(10), Jitter = BackoffJitter.None, Deadline = TimeSpan.FromSeconds(5) },
            time);

        time.Advance(TimeSpan.FromSeconds(4.5));

        Assert.Equal(TimeSpan.FromSeconds(0.5), backoff.NextDelay());
        Assert.Equal(TimeSpan.FromSeconds(0.5), backoff.Remaining);
        Assert.False(backoff.Expired);
    }

    [Fact]
    public async Task DelayAsync_UntilTheDeadline_WaitsOnTheClockThenGivesUp()
    {
        var time = new FakeTimeProvider();
        var backoff = new Backoff(
            new BackoffOptions { InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(10), Jitter = BackoffJitter.None, Deadline = TimeSpan.FromSeconds(5) },
            time);

        // 1 s, then 2 s, then the 2 s left of the 5 s deadline, instead of 4 s.
        foreach (var seconds in new[] { 1.0, 2.0, 2.0 })
        {
            var waiting = backoff.DelayAsync().AsTask();
            time.Advance(TimeSpan.FromSeconds(seconds) - TimeSpan.FromMilliseconds(1));
            Assert.False(waiting.IsCompleted);
            time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        }

        Assert.True(backoff.Expired);
        Assert.False(await backoff.DelayAsync());
        Assert.Equal(TimeSpan.FromSeconds(5), backoff.Elapsed);
    }

    [Fact]
    public async Task DelayAsync_Cancelled_ThrowsWithoutWaitingTheDelay()
    {
        var time = new FakeTimeProvider();
        var backoff = new Backoff(new BackoffOptions { InitialDelay = TimeSpan.FromMinutes(1), MaxDelay = TimeSpan.FromMinutes(5) }, time);
        using var cts = new CancellationTokenSource();

        var waiting = backoff.DelayAsync(cts.Token).AsTask();
        Assert.False(waiting.IsCompleted);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public void Constructor_LongestBelowFirst_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new Backoff(new BackoffOptions { InitialDelay = TimeSpan.FromSeconds(2), MaxDelay = TimeSpan.FromSeconds(1) }));
    }
}
