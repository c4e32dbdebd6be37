namespace FuncExec.Protocol.Resilience;

/// <summary>
/// The one reconnect policy of FuncExec: exponential waits between attempts, spread by jitter, between a first and a
/// longest delay, with an optional total deadline, on a <see cref="TimeProvider"/> so that tests drive it with fake time.
/// A node rejoining its scheduler, a client reattaching, and the broker's server reconnecting to RabbitMQ all use it.
/// </summary>
/// <remarks>
/// <para>A small helper rather than Polly (or Microsoft.Extensions.Resilience): the three loops need only the delays,
/// not a pipeline of strategies, and this project is loaded by every worker process, where Polly.Core and its
/// dependencies would be carried into each worker's closure for about a hundred lines of arithmetic.</para>
/// <para>Not thread-safe: one loop owns one backoff.</para>
/// </remarks>
internal sealed class Backoff
{
    private readonly BackoffOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private long _started;
    private int _attempts;
    private TimeSpan _last;

    /// <summary>Starts a backoff; its deadline, if any, runs from now.</summary>
    /// <param name="options">Its shape.</param>
    /// <param name="time">The clock; the system's when null.</param>
    /// <param name="random">The source of jitter; a shared one when null (a seeded one makes tests repeatable).</param>
    public Backoff(BackoffOptions options, TimeProvider? time = null, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.InitialDelay, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDelay, options.InitialDelay, nameof(options));
        _options = options;
        _time = time ?? TimeProvider.System;
        _random = random ?? Random.Shared;
        _started = _time.GetTimestamp();
        _last = options.InitialDelay;
    }

    /// <summary>Waits handed out since the start or the last <see cref="Reset"/>.</summary>
    public int Attempts => _attempts;

    /// <summary>Time since the start or the last <see cref="Reset"/>.</summary>
    public TimeSpan Elapsed => _time.GetElapsedTime(_started);

    /// <summary>Time left before the deadline (never negative); null without one.</summary>
    public TimeSpan? Remaining => _options.Deadline is { } deadline
        ? (deadline - Elapsed is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero)
        : null;

    /// <summary>Whether the deadline has passed: time to give up.</summary>
    public bool Expired => Remaining is { } left && left <= TimeSpan.Zero;

    /// <summary>Back to the first delay, with the deadline running from now: after a success.</summary>
    public void Reset()
    {
        _started = _time.GetTimestamp();
        _attempts = 0;
        _last = _options.InitialDelay;
    }

    /// <summary>The next wait, cut to what is left before the deadline.</summary>
    public TimeSpan NextDelay()
    {
        var delay = Spread(Exponential(_attempts));
        _attempts++;
        _last = delay;
        return Remaining is { } left && left < delay ? left : delay;
    }

    /// <summary>Waits the next delay.</summary>
    /// <returns>False, at once, when the deadline has passed (give up); true once the wait is over.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public async ValueTask<bool> DelayAsync(CancellationToken cancellationToken = default)
    {
        if (Expired)
        {
            return false;
        }

        var delay = NextDelay();
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary><see cref="BackoffOptions.InitialDelay"/> doubled <paramref name="attempt"/> times, capped.</summary>
    private TimeSpan Exponential(int attempt)
    {
        // Past 62 doublings the ticks overflow; the cap is long reached by then.
        var factor = attempt >= 62 ? long.MaxValue : 1L << attempt;
        var ticks = _options.InitialDelay.Ticks > _options.MaxDelay.Ticks / factor ? _options.MaxDelay.Ticks : _options.InitialDelay.Ticks * factor;
        return TimeSpan.FromTicks(Math.Min(ticks, _options.MaxDelay.Ticks));
    }

    private TimeSpan Spread(TimeSpan exponential) => _options.Jitter switch
    {
        BackoffJitter.Full => Between(TimeSpan.Zero, exponential),
        BackoffJitter.Equal => Between(exponential / 2, exponential),
        BackoffJitter.Decorrelated => Between(
            _options.InitialDelay,
            TimeSpan.FromTicks(Math.Min(_options.MaxDelay.Ticks, Math.Max(_options.InitialDelay.Ticks, _last.Ticks > long.MaxValue / 3 ? long.MaxValue : _last.Ticks * 3)))),
        _ => exponential,
    };

    private TimeSpan Between(TimeSpan low, TimeSpan high) =>
        low + TimeSpan.FromTicks((long)(_random.NextDouble() * (high - low).Ticks));
}
