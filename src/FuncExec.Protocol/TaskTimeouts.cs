namespace FuncExec.Protocol;

/// <summary>
/// The bounds of the durations that travel as milliseconds: a task's timeout (<c>timeout_ms</c>) and a cancel's grace
/// (<c>grace_ms</c>). A client's are checked where they are made, a scheduler refuses a submission outside them, and a
/// node clamps what it is sent, so no value from a peer can overflow a <see cref="TimeSpan"/> or a timer.
/// </summary>
internal static class TaskTimeouts
{
    /// <summary>The longest timeout or grace in milliseconds: 24 days, as in task files (a .NET timer waits at most about
    /// 49 days).</summary>
    public const long MaxMs = 24L * 24 * 60 * 60 * 1000;

    /// <summary><see cref="MaxMs"/> as a duration.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromMilliseconds(MaxMs);

    /// <summary>A task's <c>timeout_ms</c> from its options: 0 for none; at least 1 ms for a timeout.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is zero, negative, or longer than <see cref="Max"/>.</exception>
    public static long ToMilliseconds(TimeSpan? timeout, string option)
    {
        if (timeout is not { } value)
        {
            return 0;
        }

        if (value <= TimeSpan.Zero || value > Max)
        {
            throw new ArgumentOutOfRangeException(option, value, $"{option} must be longer than zero and at most 24 days (null for none), got {value}");
        }

        return Math.Max(1, (long)value.TotalMilliseconds);
    }

    /// <summary>Why a submitted task's <paramref name="timeoutMs"/> cannot be used; null when it can.</summary>
    public static string? Problem(long timeoutMs) =>
        timeoutMs is < 0 or > MaxMs ? $"timeout_ms {timeoutMs} is outside 0 (no timeout) to {MaxMs} (24 days)" : null;

    /// <summary><paramref name="milliseconds"/> from a peer as a duration between zero and <see cref="Max"/>.</summary>
    public static TimeSpan Clamp(long milliseconds) => TimeSpan.FromMilliseconds(Math.Clamp(milliseconds, 0, MaxMs));
}
