using System.Globalization;

namespace FuncExec.Core.Text;

/// <summary>Timeouts and durations as people read them: <c>500 ms</c>, <c>2 s</c>, <c>1.5 min</c>, <c>2 h</c>, <c>1.5 d</c>
/// (never <c>00:00:00.5000000</c>).</summary>
internal static class Durations
{
    /// <summary>The duration in the largest unit that keeps it at least 1, with at most one decimal (milliseconds:
    /// whole ones, or up to three decimals below 1 ms).</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == Timeout.InfiniteTimeSpan)
        {
            return "infinite";
        }

        var sign = duration < TimeSpan.Zero ? "-" : string.Empty;
        var ms = Math.Abs(duration.TotalMilliseconds);
        var text = ms switch
        {
            < 1 => Number(ms, "0.###") + " ms",
            < 1000 => Number(ms, "0") + " ms",
            < 60_000 => Number(ms / 1000, "0.#") + " s",
            < 3_600_000 => Number(ms / 60_000, "0.#") + " min",
            < 86_400_000 => Number(ms / 3_600_000, "0.#") + " h",
            _ => Number(ms / 86_400_000, "0.#") + " d",
        };
        return sign + text;
    }

    private static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
