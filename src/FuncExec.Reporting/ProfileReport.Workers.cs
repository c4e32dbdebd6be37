using FuncExec.Core.Tasks;
using FuncExec.Reporting.Internal;

namespace FuncExec.Reporting;

internal sealed partial class ProfileReport
{
    private static (IReadOnlyList<WorkerUtilization> Workers, List<GanttBar> Bars) MeasureWorkers(Profile profile, long spanStart, long spanEnd)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var core = new Dictionary<string, int>(StringComparer.Ordinal);
        var deaths = new Dictionary<string, int>(StringComparer.Ordinal);
        // The workers pinned to each core of each node, in the order they first appeared.
        var byNodeCore = new Dictionary<(string Node, int Core), List<string>>();
        foreach (var row in profile.Workers)
        {
            names.Add(row.Worker);
            if (row.Died)
            {
                deaths[row.Worker] = deaths.GetValueOrDefault(row.Worker) + 1;
            }
            else if (row.Core is { } c)
            {
                core[row.Worker] = c;
                var holders = byNodeCore.TryGetValue((NodeOf(row.Worker), c), out var list) ? list : byNodeCore[(NodeOf(row.Worker), c)] = [];
                if (!holders.Contains(row.Worker))
                {
                    holders.Add(row.Worker);
                }
            }
        }

        foreach (var task in profile.Tasks)
        {
            if (task.Worker.Length > 0)
            {
                names.Add(task.Worker);
            }
        }

        var ordered = names.Order(NaturalComparer.Instance).ToArray();
        var rowOf = ordered.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        var busy = ordered.Select(_ => new List<(long Start, long End)>()).ToArray();
        var ran = new int[ordered.Length];
        var bars = new List<GanttBar>(profile.Tasks.Count);
        foreach (var task in profile.Tasks)
        {
            if (task.Worker.Length == 0 || task.StartedUs is not { } started)
            {
                continue;
            }

            ran[rowOf[task.Worker]]++;
            foreach (var holder in Holders(task, byNodeCore))
            {
                var row = rowOf[holder];
                busy[row].Add((started, task.FinishedUs));
                bars.Add(new GanttBar(row, started, task.FinishedUs, task.Status, task.TaskId, task.TaskId, 1, task.Name,
                    task.Status == TaskState.Succeeded ? 0 : 1));
            }
        }

        var span = spanEnd - spanStart;
        var workers = new WorkerUtilization[ordered.Length];
        for (var i = 0; i < ordered.Length; i++)
        {
            var name = ordered[i];
            var busyUs = UnionWithin(busy[i], spanStart, spanEnd);
            workers[i] = new WorkerUtilization(
                name,
                core.TryGetValue(name, out var c) ? c : null,
                ran[i],
                TimeSpan.FromMicroseconds(busyUs),
                span > 0 ? (double)busyUs / span : 0,
                deaths.GetValueOrDefault(name));
        }

        return (workers, bars);
    }

    /// <summary>The workers a task kept busy: the one that ran it, and for each further core it held (the first
    /// core listed is its own worker's) the first other worker of its node pinned to that core.</summary>
    private static IEnumerable<string> Holders(ProfileTaskRow task, Dictionary<(string Node, int Core), List<string>> byNodeCore)
    {
        yield return task.Worker;
        if (task.Cores.Count < 2)
        {
            yield break;
        }

        var node = NodeOf(task.Worker);
        var taken = new List<string>(task.Cores.Count) { task.Worker };
        for (var i = 1; i < task.Cores.Count; i++)
        {
            if (byNodeCore.TryGetValue((node, task.Cores[i]), out var pinned) && pinned.FirstOrDefault(w => !taken.Contains(w)) is { } other)
            {
                taken.Add(other);
                yield return other;
            }
        }
    }

    private static string NodeOf(string worker) => worker.LastIndexOf('/') is var slash and > 0 ? worker[..slash] : string.Empty;

    /// <summary>The length of the union of <paramref name="intervals"/> clipped to <c>[start, end]</c>.</summary>
    private static long UnionWithin(List<(long Start, long End)> intervals, long start, long end)
    {
        intervals.Sort();
        long total = 0, coveredTo = start;
        foreach (var (s, e) in intervals)
        {
            var from = Math.Max(s, coveredTo);
            var to = Math.Min(e, end);
            if (to > from)
            {
                total += to - from;
                coveredTo = to;
            }
        }

        return total;
    }
}
