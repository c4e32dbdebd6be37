using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FuncExec.Bench;
using FuncExec.Client;
using FuncExec.Core.Tasks;

// FuncExec's benchmark on the embedded local cluster, with its baselines measured in the
// same run (the machine is shared and noisy, so ratios matter more than raw figures):
//   floor  a Unix-socket round trip between two .NET processes
//   W1     throughput of 20,000 no-op method tasks, every result checked
//   W2     latency of 1,000 sequential no-op tasks
//   W3     efficiency of 200 tasks that each spin 50 ms of CPU (ideal wall / actual wall)
//   mp     Python multiprocessing on W1 and W2, when python3 is installed
if (args is ["ping-pong-server", var socketPath])
{
    PingPong.Serve(socketPath);
    return 0;
}

var workers = Arg("--workers", 2);
var w1Count = Arg("--w1-tasks", 20_000);
var w2Count = Arg("--w2-tasks", 1_000);
var w3Count = Arg("--w3-tasks", 200);
var w3Millis = Arg("--w3-ms", 50);
var assembly = typeof(Jobs).Assembly.Location;
var rows = new List<(string Name, string Value, string Note)>();

Console.Error.WriteLine("floor: Unix-socket ping-pong between two .NET processes ...");
var floor = PingPong.Measure(20_000);
var floorP50 = Percentile(floor, 0.50);
rows.Add(("floor ping-pong p50", $"{floorP50:F1} µs", "two .NET processes, Unix socket"));

await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = workers });
Console.Error.WriteLine($"cluster: {workers} workers on cores {string.Join(',', cluster.WorkerCores)}");

TaskSpec Noop(int i) => new()
{
    Name = $"noop-{i}",
    Kind = FunctionKind.Method,
    Function = "FuncExec.Bench.Jobs.Noop",
    Assembly = assembly,
    Params = [JsonSerializer.SerializeToElement(i)],
};

// Warm-up: load the assembly and resolve the method in every worker, JIT the hot paths.
await Check(cluster, Enumerable.Range(0, 4000).Select(Noop).ToArray());

Console.Error.WriteLine($"W1: {w1Count:N0} no-op tasks ...");
var w1Tasks = Enumerable.Range(0, w1Count).Select(Noop).ToArray();
var stopwatch = Stopwatch.StartNew();
await Check(cluster, w1Tasks);
var w1 = w1Count / stopwatch.Elapsed.TotalSeconds;
rows.Add(("W1 throughput", $"{w1:N0} tasks/s", $"{w1Count:N0} no-op tasks, {workers} workers; target >= 50,000"));

Console.Error.WriteLine($"W2: {w2Count:N0} sequential no-op tasks ...");
var latencies = new double[w2Count];
for (var i = -200; i < w2Count; i++)
{
    var task = Noop(Math.Max(i, 0));
    var start = Stopwatch.GetTimestamp();
    var report = await cluster.RunAsync(task);
    var elapsed = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    Expect(report, Math.Max(i, 0));
    if (i >= 0)
    {
        latencies[i] = elapsed;
    }
}

Array.Sort(latencies);
var w2p50 = Percentile(latencies, 0.50);
var w2p99 = Percentile(latencies, 0.99);
rows.Add(("W2 latency p50", $"{w2p50:F0} µs", $"{w2p50 / floorP50:F1}x the floor; target <= 200 µs"));
rows.Add(("W2 latency p99", $"{w2p99:F0} µs", $"{w2p99 / floorP50:F1}x the floor"));

Console.Error.WriteLine($"W3: {w3Count} tasks of {w3Millis} ms CPU ...");
var w3Tasks = Enumerable.Range(0, w3Count).Select(i => new TaskSpec
{
    Name = $"spin-{i}",
    Kind = FunctionKind.Method,
    Function = "FuncExec.Bench.Jobs.Spin",
    Assembly = assembly,
    Params = [JsonSerializer.SerializeToElement(w3Millis)],
}).ToArray();
stopwatch.Restart();
var w3Reports = await cluster.RunAsync(w3Tasks);
var w3Wall = stopwatch.Elapsed.TotalSeconds;
if (w3Reports.Any(r => r.State != TaskState.Succeeded))
{
    throw new InvalidOperationException("a W3 task failed");
}

var ideal = w3Count * w3Millis / 1000.0 / workers;
var perWorker = string.Join(", ", w3Reports.GroupBy(r => r.Worker).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"));
Console.Error.WriteLine($"W3 tasks per worker: {perWorker}");
var gaps = w3Reports.GroupBy(r => r.Worker)
    .SelectMany(g => g.OrderBy(r => r.Started).Zip(g.OrderBy(r => r.Started).Skip(1), (a, b) => (b.Started!.Value - a.Finished!.Value).TotalMicroseconds))
    .Order().ToArray();
var durations = w3Reports.Select(r => (r.Finished!.Value - r.Started!.Value).TotalMilliseconds).Order().ToArray();
Console.Error.WriteLine($"W3 idle gap between tasks on a worker: p50 {Percentile(gaps, 0.5):F0} µs, p99 {Percentile(gaps, 0.99):F0} µs; task time p50 {Percentile(durations, 0.5):F2} ms");
rows.Add(("W3 efficiency", $"{ideal / w3Wall:F3}", $"ideal {ideal:F2} s / actual {w3Wall:F2} s; target >= 0.97"));

var python = Baseline.RunMultiprocessing(w1Count, workers);
if (python is { } mp)
{
    rows.Add(("mp W1 throughput", $"{mp.W1:N0} tasks/s", $"FuncExec is {w1 / mp.W1:F1}x"));
    rows.Add(("mp W2 latency p50", $"{mp.W2P50:F0} µs", $"FuncExec is {mp.W2P50 / w2p50:F1}x faster"));
}
else
{
    rows.Add(("mp baseline", "skipped", "python3 not found"));
}

Console.WriteLine();
Console.WriteLine($"{"measure",-22} {"value",-18} note");
foreach (var (name, value, note) in rows)
{
    Console.WriteLine($"{name,-22} {value,-18} {note}");
}

return 0;

static async Task Check(LocalCluster cluster, TaskSpec[] tasks)
{
    var reports = await cluster.RunAsync(tasks);
    for (var i = 0; i < reports.Count; i++)
    {
        Expect(reports[i], tasks[i].Params[0].GetInt32());
    }
}

static void Expect(TaskReport report, int expected)
{
    if (report.State != TaskState.Succeeded || report.ResultJson != expected.ToString(CultureInfo.InvariantCulture))
    {
        throw new InvalidOperationException($"task {report.Name}: expected {expected}, got {report.State} {report.ResultJson} {report.Error?.Message}");
    }
}

static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
