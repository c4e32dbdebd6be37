using System.Globalization;

namespace FuncExec.Reporting;

/// <summary>How the report writes its numbers, so <c>funcexec report</c> prints what the HTML page shows.</summary>
internal static class ReportFormat
{
    /// <summary>A throughput in tasks per second with as many digits as it needs: <c>812.3</c>, <c>81.25</c>, <c>0.0125</c>.</summary>
    public static string Throughput(double perSecond) =>
        perSecond.ToString(perSecond >= 100 ? "0.0" : perSecond >= 1 ? "0.00" : "0.####", CultureInfo.InvariantCulture);

    /// <summary>A fraction as a percentage with one decimal: <c>75.3%</c>.</summary>
    public static string Percent(double fraction) => (fraction * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    /// <summary>A duration in seconds: to the millisecond from 1 s (<c>12.345 s</c>), to the microsecond below
    /// (<c>0.000125 s</c>), to a tenth from 100 s.</summary>
    public static string Seconds(TimeSpan duration) => Microseconds(duration.Ticks / TimeSpan.TicksPerMicrosecond);

    internal static string Microseconds(long microseconds) =>
        (microseconds / 1e6).ToString(
            microseconds >= 100_000_000 ? "0.0" : microseconds >= 1_000_000 ? "0.000" : "0.000###", CultureInfo.InvariantCulture) + " s";
}
