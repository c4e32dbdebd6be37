using System.Globalization;

namespace FuncExec.Node.Metrics;

/// <summary>
/// Per-core CPU use from /proc/stat: the share of time each core was not idle between two samples.
/// </summary>
internal sealed class CoreUsageSampler
{
    private Dictionary<int, (long Busy, long Total)> _previous = Read();

    /// <summary>Busy percent per core since the previous call (or since construction).</summary>
    public IReadOnlyDictionary<int, float> Sample()
    {
        var current = Read();
        var usage = new Dictionary<int, float>(current.Count);
        foreach (var (core, now) in current)
        {
            if (_previous.TryGetValue(core, out var before) && now.Total > before.Total)
            {
                usage[core] = (float)(100.0 * (now.Busy - before.Busy) / (now.Total - before.Total));
            }
        }

        _previous = current;
        return usage;
    }

    private static Dictionary<int, (long Busy, long Total)> Read()
    {
        var cores = new Dictionary<int, (long, long)>();
        foreach (var line in File.ReadLines("/proc/stat"))
        {
            // "cpuN user nice system idle iowait irq softirq steal ..."; the aggregate line is "cpu ".
            if (!line.StartsWith("cpu", StringComparison.Ordinal) || line.Length < 4 || !char.IsAsciiDigit(line[3]))
            {
                continue;
            }

            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var core = int.Parse(fields[0].AsSpan(3), CultureInfo.InvariantCulture);
            long total = 0, idle = 0;
            for (var i = 1; i < fields.Length && i <= 8; i++)
            {
                var value = long.Parse(fields[i], CultureInfo.InvariantCulture);
                total += value;
                if (i is 4 or 5)
                {
                    idle += value; // idle and iowait
                }
            }

            cores[core] = (total - idle, total);
        }

        return cores;
    }
}
