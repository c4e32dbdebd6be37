using System.Globalization;
using FuncExec.Client;

namespace FuncExec.Bench;

/// <summary>
/// The <c>hot</c> mode: the hot path's two targets in one run, quickly. Each round measures the floor (a Unix-socket
/// round trip between two .NET processes), W2 (p50 and p99) and W1 on the embedded cluster and on <c>funcexec
/// scheduler</c> + <c>funcexec node</c> as processes, and Python multiprocessing's W1, in an order that turns each round,
/// so a burst of load on this shared machine does not always fall on the same one. Each round's ratios (W2 p50 ÷ the
/// floor's p50, W1 ÷ multiprocessing's W1) are of figures measured seconds apart; the medians over rounds are the result.
/// </summary>
/// <remarks>Both clusters stay up for the whole run (their idle workers cost nothing measurable), so a round
/// measures the hot path, not start-up.</remarks>
internal static class HotPath
{
    private const int FloorRounds = 5_000;

    // The targets of the hot path, as ratios: W2 p50 ÷ floor, W1 ÷ multiprocessing.
    private const double EmbeddedW2Target = 3;
    private const double DistributedW2Target = 8;
    private const double W1Target = 3;

    private enum Step
    {
        Floor,
        Embedded,
        Distributed,
        Multiprocessing,
    }

    public static async Task RunAsync(Workloads workloads, int rounds)
    {
        Console.Error.WriteLine($"hot: starting the embedded cluster and scheduler + node ({workloads.Workers} workers) ...");
        await using var local = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = workloads.Workers });
        await using var processes = await SeparateProcesses.StartAsync(workloads.Workers);
        await using var remote = await RemoteCluster.ConnectAsync(processes.Address);
        await workloads.WarmUpAsync(local);
        await workloads.WarmUpAsync(remote);

        var results = new List<Round>();
        var steps = Enum.GetValues<Step>();
        for (var round = 0; round < rounds; round++)
        {
            double floor = double.NaN, mp = double.NaN;
            Setup embedded = default, distributed = default;
            for (var k = 0; k < steps.Length; k++)
            {
                var step = steps[(round + k) % steps.Length];
                Console.Error.WriteLine($"hot round {round + 1}/{rounds}: {step} ...");
                switch (step)
                {
                    case Step.Floor:
                        floor = Workloads.Percentile(PingPong.Measure(FloorRounds), 0.5);
                        break;
                    case Step.Embedded:
                        embedded = await MeasureAsync(workloads, local);
                        break;
                    case Step.Distributed:
                        distributed = await MeasureAsync(workloads, remote);
                        break;
                    case Step.Multiprocessing:
                        mp = Baseline.RunMultiprocessing(workloads.W1Tasks, workloads.Workers)?.W1 ?? double.NaN;
                        break;
                }
            }

            var r = new Round(floor, embedded, distributed, mp);
            results.Add(r);
            Console.Error.WriteLine(FormattableString.Invariant(
                $"  floor {floor:F1} µs; W2 p50 {embedded.W2P50:F0} / {distributed.W2P50:F0} µs ({embedded.W2P50 / floor:F1}× / {distributed.W2P50 / floor:F1}×); W1 {embedded.W1:N0} / {distributed.W1:N0} tasks/s, multiprocessing {mp:N0} ({embedded.W1 / mp:F2}× / {distributed.W1 / mp:F2}×)"));
        }

        Console.WriteLine();
        Console.WriteLine($"hot path, {workloads.Workers} workers, {rounds} rounds (W1 {workloads.W1Tasks:N0} tasks, W2 {workloads.W2Tasks:N0}); load average {LoadAverage()}");
        Console.WriteLine($"{"round",-6} {"floor µs",9} {"emb W2 p50",11} {"p99",7} {"s+n W2 p50",11} {"p99",7} {"emb W1/s",10} {"s+n W1/s",10} {"mp W1/s",10}");
        for (var i = 0; i < results.Count; i++)
        {
            var r = results[i];
            Console.WriteLine(FormattableString.Invariant(
                $"{i + 1,-6} {r.Floor,9:F1} {r.Embedded.W2P50,11:F0} {r.Embedded.W2P99,7:F0} {r.Distributed.W2P50,11:F0} {r.Distributed.W2P99,7:F0} {r.Embedded.W1,10:N0} {r.Distributed.W1,10:N0} {r.Multiprocessing,10:N0}"));
        }

        Console.WriteLine();
        Console.WriteLine($"{"ratio (median over rounds)",-32} {"embedded",9} {"scheduler+node",15}  target (embedded / scheduler+node)");
        Row("W2 p50 / floor", results, r => r.Embedded.W2P50 / r.Floor, r => r.Distributed.W2P50 / r.Floor, $"<= {EmbeddedW2Target:F0} / <= {DistributedW2Target:F0}", lowerIsBetter: true);
        Row("W2 p99 / floor", results, r => r.Embedded.W2P99 / r.Floor, r => r.Distributed.W2P99 / r.Floor, "-", lowerIsBetter: true);
        Row("W1 / multiprocessing", results, r => r.Embedded.W1 / r.Multiprocessing, r => r.Distributed.W1 / r.Multiprocessing, $">= {W1Target:F0} / >= {W1Target:F0}", lowerIsBetter: false);
        Console.WriteLine(FormattableString.Invariant(
            $"medians: floor {Median(results.Select(r => r.Floor)):F1} µs; W2 p50 {Median(results.Select(r => r.Embedded.W2P50)):F0} / {Median(results.Select(r => r.Distributed.W2P50)):F0} µs; W1 {Median(results.Select(r => r.Embedded.W1)):N0} / {Median(results.Select(r => r.Distributed.W1)):N0} tasks/s; multiprocessing W1 {Median(results.Select(r => r.Multiprocessing)):N0} tasks/s"));
    }

    /// <summary>
    /// <c>hot --loop SETUP-WORKLOAD [--seconds N]</c>: runs one workload on one setup over and over for N seconds (10 by
    /// default) and says how many it ran, for a profiler or a count of context switches to attach to; SETUP is
    /// <c>embedded</c> or <c>distributed</c>, WORKLOAD <c>w1</c> or <c>w2</c>. Its process id, and so the tree of the
    /// processes it started, is printed first.
    /// </summary>
    public static async Task<int> LoopAsync(Workloads workloads, string what, int seconds)
    {
        if (what is not ("embedded-w1" or "embedded-w2" or "distributed-w1" or "distributed-w2"))
        {
            Console.Error.WriteLine($"hot --loop: expected embedded-w1, embedded-w2, distributed-w1 or distributed-w2, not '{what}'");
            return 2;
        }

        await using var local = what.StartsWith("embedded", StringComparison.Ordinal) ? await LocalCluster.StartAsync(new LocalClusterOptions { Workers = workloads.Workers }) : null;
        await using var processes = local is null ? await SeparateProcesses.StartAsync(workloads.Workers) : null;
        await using var remote = processes is null ? null : await RemoteCluster.ConnectAsync(processes.Address);
        ICluster cluster = (ICluster?)local ?? remote!;
        await workloads.WarmUpAsync(cluster);
        Console.Error.WriteLine($"hot --loop {what}: pid {Environment.ProcessId}, {seconds} s ...");
        var until = DateTime.UtcNow.AddSeconds(seconds);
        var figures = new List<double>();
        // This process's garbage collections over the loop (on the embedded cluster it holds the scheduler and the node).
        var (gen0, gen1, gen2, paused, allocated) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes());
        var looping = System.Diagnostics.Stopwatch.StartNew();
        var w1 = what.EndsWith("w1", StringComparison.Ordinal);
        var (ownCpu, startedCpu) = (Environment.CpuUsage.TotalTime, DescendantsCpu());
        while (DateTime.UtcNow < until)
        {
            figures.Add(w1 ? await workloads.W1Async(cluster) : Workloads.Percentile(await workloads.W2Async(cluster), 0.5));
        }

        // W2 runs 200 unmeasured tasks before its measured ones.
        var tasks = (double)figures.Count * (w1 ? workloads.W1Tasks : workloads.W2Tasks + 200);
        Console.WriteLine(FormattableString.Invariant(
            $"CPU per task: this process {(Environment.CpuUsage.TotalTime - ownCpu).TotalMicroseconds / tasks:F1} µs, the processes it started {(DescendantsCpu() - startedCpu).TotalMicroseconds / tasks:F1} µs"));

        var median = Median(figures);
        Console.WriteLine(FormattableString.Invariant($"{what}: {figures.Count} runs; median {(w1 ? $"{median:N0} tasks/s" : $"W2 p50 {median:F0} µs")}"));
        Console.WriteLine(FormattableString.Invariant(
            $"this process: {(GC.GetTotalAllocatedBytes() - allocated) / 1e6:N0} MB allocated; collections {GC.CollectionCount(0) - gen0} (gen1 {GC.CollectionCount(1) - gen1}, gen2 {GC.CollectionCount(2) - gen2}); paused in them {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:N0} ms of {looping.Elapsed.TotalMilliseconds:N0} ms"));
        return 0;
    }

    private static async Task<Setup> MeasureAsync(Workloads workloads, ICluster cluster)
    {
        var latencies = await workloads.W2Async(cluster);
        var w1 = await workloads.W1MedianAsync(cluster, "hot");
        return new Setup(Workloads.Percentile(latencies, 0.5), Workloads.Percentile(latencies, 0.99), w1);
    }

    private static void Row(string label, List<Round> rounds, Func<Round, double> embedded, Func<Round, double> distributed, string target, bool lowerIsBetter)
    {
        var e = Median(rounds.Select(embedded));
        var d = Median(rounds.Select(distributed));
        var verdict = target == "-" ? string.Empty : $"  {Verdict(e, lowerIsBetter ? EmbeddedW2Target : W1Target, lowerIsBetter)} / {Verdict(d, lowerIsBetter ? DistributedW2Target : W1Target, lowerIsBetter)}";
        Console.WriteLine(FormattableString.Invariant($"{label,-32} {e,9:F2} {d,15:F2}  {target}{verdict}"));
    }

    private static string Verdict(double value, double target, bool lowerIsBetter) =>
        double.IsNaN(value) ? "not measured" : (lowerIsBetter ? value <= target : value >= target) ? "met" : "not met";

    /// <summary>The median of the figures measured; NaN (a baseline that did not run) only when no round has one.</summary>
    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The CPU time of every process this one started and of theirs (workers, a scheduler and a node), from
    /// <c>/proc</c>; zero where there is none.</summary>
    private static TimeSpan DescendantsCpu()
    {
        var parents = new Dictionary<int, int>();
        var ticks = new Dictionary<int, long>();
        foreach (var dir in Directory.Exists("/proc") ? Directory.EnumerateDirectories("/proc") : [])
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                // Fields after the command's closing parenthesis: state, ppid, ..., utime (14th of the line), stime (15th).
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
                ticks[pid] = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The process ended while the list was read: it counts no more.
            }
        }

        long sum = 0;
        foreach (var (pid, ticksOf) in ticks)
        {
            for (var up = parents.GetValueOrDefault(pid); up > 1; up = parents.GetValueOrDefault(up))
            {
                if (up == Environment.ProcessId)
                {
                    sum += ticksOf;
                    break;
                }
            }
        }

        // Linux counts in clock ticks of 1/100 s.
        return TimeSpan.FromMilliseconds(sum * 10);
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>One setup's figures in one round.</summary>
    private readonly record struct Setup(double W2P50, double W2P99, double W1);

    /// <summary>One round's figures.</summary>
    private sealed record Round(double Floor, Setup Embedded, Setup Distributed, double Multiprocessing);
}
