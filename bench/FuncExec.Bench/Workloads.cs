using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FuncExec.Client;
using FuncExec.Core.Tasks;

namespace FuncExec.Bench;

/// <summary>W1–W3 against any cluster: the embedded one or a scheduler with nodes.</summary>
internal sealed class Workloads
{
    private readonly string _assembly = typeof(Jobs).Assembly.Location;

    public required int W1Tasks { get; init; }

    public required int W2Tasks { get; init; }

    public required int W3Tasks { get; init; }

    public required int W3Millis { get; init; }

    public required int Workers { get; init; }

    /// <summary>How many times W1 is measured on each setup (the full run, and each round of `hot`), taking the median.</summary>
    public const int W1Runs = 5;

    public async Task<Figures> MeasureAsync(ICluster cluster, string label)
    {
        // Five runs of W1's size first, unmeasured: .NET compiles the hot methods again with what it profiled over
        // their first seconds, and a scheduler and node started just now run W1 1.5–1.9× slower until it has (the
        // first rounds of `hot` show it). The figures are of processes that have run a while, as a user's scheduler has.
        Console.Error.WriteLine($"{label}: warming up with {5 * W1Tasks:N0} no-op tasks ...");
        for (var i = 0; i < 5; i++)
        {
            await CheckAsync(cluster, [.. Enumerable.Range(0, W1Tasks).Select(Noop)]);
        }

        var w1 = await W1MedianAsync(cluster, label);

        Console.Error.WriteLine($"{label} W2: {W2Tasks:N0} sequential no-op tasks ...");
        var latencies = await W2Async(cluster, inOrder =>
        {
            // A quarter of the tasks at a time, in order: whether the first ones waited on work left from W1.
            var quarters = inOrder.Chunk(Math.Max(1, inOrder.Length / 4)).Select(q => Percentile([.. q.Order()], 0.5).ToString("F0", CultureInfo.InvariantCulture));
            Console.Error.WriteLine($"{label} W2 p50 by quarter of its tasks, in order: {string.Join(", ", quarters)} µs");
        });

        Console.Error.WriteLine($"{label} W3: {W3Tasks} tasks of {W3Millis} ms CPU ...");
        var w3Tasks = Enumerable.Range(0, W3Tasks).Select(i => new TaskSpec
        {
            Name = $"spin-{i}",
            Kind = FunctionKind.Method,
            Function = "FuncExec.Bench.Jobs.Spin",
            Assembly = _assembly,
            Params = [JsonSerializer.SerializeToElement(W3Millis)],
        }).ToArray();
        var stopwatch = Stopwatch.StartNew();
        var w3Reports = await cluster.RunAsync(w3Tasks);
        var w3Wall = stopwatch.Elapsed.TotalSeconds;
        if (w3Reports.Any(r => r.State != TaskState.Succeeded))
        {
            throw new InvalidOperationException("a W3 task failed: " + w3Reports.First(r => r.State != TaskState.Succeeded).Error?.Message);
        }

        var gaps = w3Reports.GroupBy(r => r.Worker)
            .SelectMany(g => g.OrderBy(r => r.Started).Zip(g.OrderBy(r => r.Started).Skip(1), (a, b) => (b.Started!.Value - a.Finished!.Value).TotalMicroseconds))
            .Order().ToArray();
        var perWorker = string.Join(", ", w3Reports.GroupBy(r => r.Worker).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"));
        Console.Error.WriteLine($"{label} W3 tasks per worker: {perWorker}; idle gap between tasks p50 {Percentile(gaps, 0.5):F0} µs, p99 {Percentile(gaps, 0.99):F0} µs");
        var ideal = W3Tasks * W3Millis / 1000.0 / Workers;
        return new Figures(w1, Percentile(latencies, 0.50), Percentile(latencies, 0.99), ideal / w3Wall, ideal, w3Wall);
    }

    /// <summary>
    /// Crash refill: on a one-worker cluster, a task kills its worker; how long until the next
    /// queued task starts (its start minus the crash's report), over <paramref name="rounds"/> crashes.
    /// </summary>
    public static async Task<double[]> CrashRefillAsync(bool warmSpare, int rounds)
    {
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 1, WarmSpare = warmSpare });
        var times = new double[rounds];
        for (var i = 0; i < rounds; i++)
        {
            // Let a spare connect, as it would between crashes in real use.
            await Task.Delay(warmSpare ? 800 : 0);
            var reports = await cluster.RunAsync(
            [
                new TaskSpec { Name = "crash", Kind = FunctionKind.Code, Code = "Environment.Exit(3); return 0;" },
                new TaskSpec { Name = "next", Kind = FunctionKind.Method, Function = "System.Math.Abs", Params = [JsonSerializer.SerializeToElement(-1)] },
            ]);
            times[i] = (reports[1].Started!.Value - reports[0].Finished!.Value).TotalMilliseconds;
        }

        Array.Sort(times);
        return times;
    }

    /// <summary>Ships the assembly, resolves the method in every worker, JITs the hot paths.</summary>
    public Task WarmUpAsync(ICluster cluster) => CheckAsync(cluster, [.. Enumerable.Range(0, 4000).Select(Noop)]);

    /// <summary>W1 <see cref="W1Runs"/> times, the median: as multiprocessing's W1 is (bench/baselines/multiprocessing_baseline.py),
    /// since one run of a quarter of a second moves by a third from one run to the next on this shared machine (Python's
    /// pool as much: 24–44 k tasks/s over six runs in one process).</summary>
    public async Task<double> W1MedianAsync(ICluster cluster, string label)
    {
        var runs = new double[W1Runs];
        for (var i = 0; i < W1Runs; i++)
        {
            Console.Error.WriteLine($"{label} W1 ({i + 1}/{W1Runs}): {W1Tasks:N0} no-op tasks ...");
            // Each run starts from a clean heap in this process, as multiprocessing's runs do in Python's.
            GC.Collect();
            runs[i] = await W1Async(cluster);
        }

        Console.Error.WriteLine($"{label} W1: {string.Join(", ", runs.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))} tasks/s, in order");
        Array.Sort(runs);
        return runs[W1Runs / 2];
    }

    /// <summary>W1: <see cref="W1Tasks"/> no-op tasks at once, every result checked; tasks per second.</summary>
    public async Task<double> W1Async(ICluster cluster)
    {
        var tasks = Enumerable.Range(0, W1Tasks).Select(Noop).ToArray();
        var stopwatch = Stopwatch.StartNew();
        await CheckAsync(cluster, tasks);
        return W1Tasks / stopwatch.Elapsed.TotalSeconds;
    }

    /// <summary>W2: <see cref="W2Tasks"/> no-op tasks one after another (after 200 unmeasured); latencies in µs, sorted.</summary>
    /// <param name="cluster">The cluster.</param>
    /// <param name="inOrder">Sees the latencies first, in the order the tasks ran.</param>
    public async Task<double[]> W2Async(ICluster cluster, Action<double[]>? inOrder = null)
    {
        var latencies = new double[W2Tasks];
        for (var i = -200; i < W2Tasks; i++)
        {
            var task = Noop(Math.Max(i, 0));
            var start = Stopwatch.GetTimestamp();
            var report = (await cluster.RunAsync([task]))[0];
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            Expect(report, Math.Max(i, 0));
            if (i >= 0)
            {
                latencies[i] = elapsed;
            }
        }

        inOrder?.Invoke(latencies);
        Array.Sort(latencies);
        return latencies;
    }

    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    internal TaskSpec Noop(int i) => new()
    {
        Name = $"noop-{i}",
        Kind = FunctionKind.Method,
        Function = "FuncExec.Bench.Jobs.Noop",
        Assembly = _assembly,
        Params = [JsonSerializer.SerializeToElement(i)],
    };

    private static async Task CheckAsync(ICluster cluster, TaskSpec[] tasks)
    {
        var reports = await cluster.RunAsync(tasks);
        for (var i = 0; i < reports.Count; i++)
        {
            Expect(reports[i], tasks[i].Params[0].GetInt32());
        }
    }

    private static void Expect(TaskReport report, int expected)
    {
        if (report.State != TaskState.Succeeded || report.ResultJson != expected.ToString(CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"task {report.Name}: expected {expected}, got {report.State} {report.ResultJson} {report.Error?.Message}");
        }
    }
}

/// <summary>One cluster's figures.</summary>
internal sealed record Figures(double W1, double W2P50, double W2P99, double W3, double W3Ideal, double W3Wall);
