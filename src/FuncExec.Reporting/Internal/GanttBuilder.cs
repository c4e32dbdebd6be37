using FuncExec.Core.Tasks;

namespace FuncExec.Reporting.Internal;

/// <summary>Builds the worker timeline, thinning it when a profile has more bars than a browser draws smoothly.</summary>
/// <remarks>
/// Up to the limit every task has its own bar. Past it, the timeline is drawn at a resolution: neighbouring bars of
/// one worker less than a resolution apart are merged, as long as the merged bar spans at most one resolution, so a
/// long task keeps its own bar and short ones become resolution-sized blocks that say how many tasks they hold and
/// are colored by the worst status among them (a failure stays visible). The resolution starts at 1/4000 of the span
/// (about a pixel on a wide screen) and doubles until the bars fit. A merged bar covers the idle gaps between its
/// tasks, which at that resolution are not visible anyway; utilization is computed from the tasks, not the bars.
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

        var resolution = Math.Max(1, spanUs / 4000);
        var merged = bars;
        while (true)
        {
            merged = Merge(merged, resolution);
            if (merged.Count <= maxBars || resolution > spanUs)
            {
                return new GanttChart(merged, tasks, resolution);
            }

            resolution *= 2;
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

    private static List<GanttBar> Merge(List<GanttBar> bars, long resolution)
    {
        var merged = new List<GanttBar>(bars.Count / 2);
        var current = bars[0];
        for (var i = 1; i < bars.Count; i++)
        {
            var next = bars[i];
            if (next.Row == current.Row && next.StartUs - current.EndUs <= resolution && Math.Max(current.EndUs, next.EndUs) - current.StartUs <= resolution)
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
