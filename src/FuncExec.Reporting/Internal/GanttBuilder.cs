using FuncExec.Core.Tasks;

namespace FuncExec.Reporting.Internal;

/// <summary>Builds the worker timeline, thinning it when a profile has more bars than a browser draws smoothly.</summary>
/// <remarks>
/// Up to the limit every task has its own bar. Past it, adjacent bars of one worker whose gap is under a
/// threshold are merged into one bar that says how many tasks it holds and is colored by the worst status among
/// them (so a failure stays visible); the threshold starts at 1/4000 of the span (about a pixel on a wide
/// screen) and doubles until the bars fit. Busy time is unchanged in spirit: a merged bar may cover the short
/// idle gaps between its tasks, which at that zoom are not visible anyway.
/// </remarks>
internal static class GanttBuilder
{
    public static GanttChart Build(List<GanttBar> bars, long spanUs, int maxBars)
    {
        bars.Sort(static (a, b) => a.Row != b.Row ? a.Row.CompareTo(b.Row) : a.StartUs.CompareTo(b.StartUs));
        var tasks = bars.Count;
        if (bars.Count <= maxBars)
        {
            return new GanttChart(bars, tasks, 0);
        }

        var gap = Math.Max(1, spanUs / 4000);
        var merged = bars;
        while (true)
        {
            merged = Merge(merged, gap);
            if (merged.Count <= maxBars || gap > spanUs)
            {
                return new GanttChart(merged, tasks, gap);
            }

            gap *= 2;
        }
    }

    /// <summary>How bad a status is, for coloring a merged bar by its worst task.</summary>
    public static int Severity(TaskState state) => state switch
    {
        TaskState.Succeeded => 0,
        TaskState.Cancelled => 1,
        TaskState.Killed => 2,
        TaskState.TimedOut => 3,
        _ => 4,
    };

    private static List<GanttBar> Merge(List<GanttBar> bars, long gap)
    {
        var merged = new List<GanttBar>(bars.Count / 2);
        var current = bars[0];
        for (var i = 1; i < bars.Count; i++)
        {
            var next = bars[i];
            if (next.Row == current.Row && next.StartUs - current.EndUs <= gap)
            {
                current = new GanttBar(
                    current.Row,
                    current.StartUs,
                    Math.Max(current.EndUs, next.EndUs),
                    Severity(next.Status) > Severity(current.Status) ? next.Status : current.Status,
                    Math.Min(current.FirstId, next.FirstId),
                    Math.Max(current.LastId, next.LastId),
                    current.Count + next.Count,
                    Name: null,
                    current.Failed + next.Failed);
            }
            else
            {
                merged.Add(current);
                current = next;
            }
        }

        merged.Add(current);
        return merged;
    }
}
