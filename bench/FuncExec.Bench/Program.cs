using FuncExec;
using System.Globalization;
using FuncExec.Bench;
using FuncExec.Client;

// The usage text, printed for --help and when the mode or an option is not known.
const string Usage = """
Usage: FuncExec.Bench [MODE] [OPTIONS]; with no mode, every workload and baseline below, then one table.

FuncExec's benchmark, with its baselines measured in the same run (the machine is shared
and noisy, so ratios matter more than raw figures):
  floor        a Unix-socket round trip between two .NET processes (the median of 4 measurements through the run)
  W1           throughput of 20,000 no-op method tasks, every result checked (the median of 5 runs, on each side)
  W2           latency of 1,000 sequential no-op tasks
  W3           efficiency of 200 tasks that each spin 50 ms of CPU (ideal wall / actual wall)
  W4           KillAsync of a running task → the next queued task starts on the freed core (as the node says),
               and → the next task's own code runs (a timestamp taken inside it, as a user sees it)
  W5           100 tasks of 20 ms, one of which kills its own worker once: all results, the crashed one retried
  map          MapAsync over 1,000,000 no-op items in chunks (and 100,000 one task per item), beside Python's
               Pool.imap_unordered over as many items on as many processes
each on the embedded local cluster and on `funcexec scheduler` + `funcexec node` as
separate processes over TCP on 127.0.0.1, then Python multiprocessing and Dask distributed
(a LocalCluster of single-threaded worker processes; apt-get install python3-distributed) on W1 and W2.
start-up (also its own mode, `startup [--rounds N] [--tool PATH]`): `funcexec run` of a one-task file, the tool
               packed and installed from this build as a user installs it (or the one at --tool), process start →
               result line; Cluster.StartLocalAsync() → first result, in a new process each round; beside them a .NET
               process that returns at once, and Dask's LocalCluster → first result.
`kill-next [--rounds N] [--scheduler-node]` measures W4 alone on the embedded cluster (or on scheduler + node).
`scale [--nodes N] [--node-workers N] [--tasks N] [--clients N]` drives the scheduler's own logic with simulated nodes
(1,000 × 32 workers and 1,000,000 tasks from 10 clients by default) beside 1 node × 2 workers: cost per task, memory
per task held, reaction to a node's loss.
`map [--items N] [--rounds N] [--no-journal]` measures only MapAsync (automatic chunks, 1,000 a chunk, and items ÷ (4 × workers)) on both setups
beside Pool.imap_unordered at the same chunk sizes, with their ratios; --no-journal starts the scheduler without its journal.
`map-profile [--items N] [--chunk N]` measures instead the CPU cost per item of each step of the map path in this process.
`journal-burst [--rounds N]` measures instead the CPU the SQLite journal costs a task in bursts of 20,000 tasks as W1 makes them, in this process.
`telemetry [--rounds N]` measures instead what collecting metrics and sampled traces costs W1 and W2, as ratios.
`hot [--rounds N]` measures instead only the hot path's targets, in one run with the steps interleaved over N rounds
(5 by default): the floor, W2 p50/p99 and W1 on the embedded cluster and on scheduler + node, and multiprocessing's W1;
it prints each round, then the median over rounds of W2 p50 ÷ the floor and W1 ÷ multiprocessing, beside their targets.
`hot --loop embedded-w2 [--seconds N]` (or embedded-w1, distributed-w1, distributed-w2) runs one of them over and over
for a profiler to attach to.
`broker --broker URL [--tasks N] [--prefetch N]` measures instead no-op tasks through a RabbitMQ task queue beside W1
direct, and Celery through the same broker (apt-get install python3-celery).

Options of the full run: --workers N (2), --w1-tasks N, --w2-tasks N, --w3-tasks N, --w3-ms N, --startup-rounds N.
""";

if (args is ["ping-pong-server", var socketPath])
{
    PingPong.Serve(socketPath);
    return 0;
}

if (args is [StartupWorkloads.NoopArgument])
{
    return 0;
}

if (args is [StartupWorkloads.LocalOnceArgument])
{
    return await StartupWorkloads.LocalOnceAsync();
}

if (args.Any(arg => arg is "--help" or "-h" or "help"))
{
    Console.WriteLine(Usage);
    return 0;
}

// A mistyped mode or option would otherwise start the full run, which takes minutes.
string[] knownModes = ["broker", "startup", "kill-next", "scale", "map", "map-profile", "hot", "telemetry", "journal", "journal-burst"];
string[] knownOptions =
[
    "--workers", "--w1-tasks", "--w2-tasks", "--w3-tasks", "--w3-ms", "--startup-rounds", "--rounds", "--tool", "--scheduler-node",
    "--nodes", "--node-workers", "--tasks", "--clients", "--items", "--no-journal", "--chunk", "--loop", "--seconds", "--broker",
    "--prefetch", "--postgres",
];
if (args is [var mode, ..] && !mode.StartsWith("--", StringComparison.Ordinal) && !knownModes.Contains(mode))
{
    Console.Error.WriteLine($"unknown mode '{mode}'; the modes are {string.Join(", ", knownModes)}, or none for the full run (--help)");
    return 2;
}

if (args.FirstOrDefault(arg => arg.StartsWith("--", StringComparison.Ordinal) && !knownOptions.Contains(arg)) is { } unknown)
{
    Console.Error.WriteLine($"unknown option '{unknown}'; the options are {string.Join(", ", knownOptions)} (--help)");
    return 2;
}

var workers = Arg("--workers", 2);
// The map row's sizes: chunked, and one task per item (which runs at W1's pace).
const int MapItems = 1_000_000;
const int MapPerItemItems = 100_000;
var workloads = new Workloads
{
    Workers = workers,
    W1Tasks = Arg("--w1-tasks", 20_000),
    W2Tasks = Arg("--w2-tasks", 1_000),
    W3Tasks = Arg("--w3-tasks", 200),
    W3Millis = Arg("--w3-ms", 50),
};

if (args is ["broker", ..])
{
    var at = Array.IndexOf(args, "--broker");
    var url = at >= 0 && at + 1 < args.Length ? args[at + 1] : Environment.GetEnvironmentVariable("FUNCEXEC_BROKER");
    if (url is null)
    {
        Console.Error.WriteLine("broker: give --broker amqp://user:password@host:5672/vhost or set FUNCEXEC_BROKER");
        return 2;
    }

    var count = Arg("--tasks", 20_000);
    var (direct, brokered) = await BrokerWorkload.MeasureAsync(url, workloads, count, Arg("--prefetch", 0));
    // Celery's prefork pool with its default prefetch, through the same broker (apt-get install python3-celery).
    var celery = Baseline.RunCelery(url, count, workers);
    Console.WriteLine();
    Console.WriteLine($"{count:N0} no-op tasks on {workers} workers (embedded cluster)");
    Console.WriteLine($"{"direct (funcexec run) tasks/s",-34} {direct,10:N0}");
    Console.WriteLine($"{"through RabbitMQ tasks/s",-34} {brokered,10:N0}  ({brokered / direct:P1} of direct)");
    if (celery is { } c)
    {
        Console.WriteLine($"{"Celery, same broker, tasks/s",-34} {c.W1,10:N0}  (FuncExec through RabbitMQ: {brokered / c.W1:F1}×); Celery delay().get() p50 {c.W2P50:N0} µs");
    }

    return 0;
}

if (args is ["startup", ..])
{
    var startup = await MeasureStartupAsync(Arg("--rounds", 10));
    Console.WriteLine();
    PrintStartup(startup);
    return startup is null ? 1 : 0;
}

if (args is ["kill-next", ..])
{
    // Embedded, or with --scheduler-node on `funcexec scheduler` + `funcexec node` as processes over TCP.
    var separate = args.Contains("--scheduler-node");
    await using var processes = separate ? await SeparateProcesses.StartAsync(workers) : null;
    await using var cluster = processes is not null
        ? (ICluster)await RemoteCluster.ConnectAsync(processes.Address)
        : await LocalCluster.StartAsync(new LocalClusterOptions { Workers = workers });
    var setup = separate ? "scheduler + node" : "embedded cluster";
    await workloads.WarmUpAsync(cluster);
    Console.Error.WriteLine($"{setup} W4: kill a running task, time until the queued one starts and runs ...");
    var kills = await KillWorkloads.KillRefillAsync(cluster, workers, Arg("--rounds", 15));
    Console.WriteLine();
    Console.WriteLine($"{setup}, {workers} workers, {kills.Ran.Length} kills: ms from KillAsync, p50 (p90; min-max)");
    Console.WriteLine($"{"next task starts (node)",-28} {Workloads.Percentile(kills.Started, 0.5),7:F1} ({Workloads.Percentile(kills.Started, 0.9):F1}; {kills.Started[0]:F1}-{kills.Started[^1]:F1})");
    Console.WriteLine($"{"next task's code runs",-28} {Workloads.Percentile(kills.Ran, 0.5),7:F1} ({Workloads.Percentile(kills.Ran, 0.9):F1}; {kills.Ran[0]:F1}-{kills.Ran[^1]:F1})  target <= 20");
    return 0;
}

if (args is ["scale", ..])
{
    SchedulerScale.Run(Arg("--nodes", 1000), Arg("--node-workers", 32), Arg("--tasks", 1_000_000), Arg("--clients", 10));
    return 0;
}

if (args is ["map", ..])
{
    await MapComparison.RunAsync(workers, Arg("--items", 1_000_000), Arg("--rounds", 3), args.Contains("--no-journal"));
    return 0;
}

if (args is ["journal-burst", ..])
{
    JournalBurst.Run(Arg("--rounds", 25));
    return 0;
}

if (args is ["map-profile", ..])
{
    // The CPU cost per item of each step of the map path, in this process, with no cluster.
    for (var round = 0; round < Arg("--rounds", 3); round++)
    {
        MapProfile.Run(Arg("--items", 1_000_000), Arg("--chunk", 125_000));
        Console.WriteLine();
    }

    return 0;
}

if (args is ["hot", ..])
{
    if (ArgText("--loop") is { } loop)
    {
        return await HotPath.LoopAsync(workloads, loop, Arg("--seconds", 10));
    }

    await HotPath.RunAsync(workloads, Arg("--rounds", 5));
    return 0;
}

if (args is ["telemetry", ..])
{
    // W1 and W2 on the embedded cluster with FuncExec's metrics (and sampled traces) collected, as ratios to neither.
    await TelemetryOverhead.RunAsync(workloads, Arg("--rounds", 25));
    return 0;
}

if (args is ["journal", ..])
{
    // W1 and W2 against `funcexec scheduler` + `funcexec node` with no journal and with the SQLite journal, in one run.
    var quick = new Workloads { Workers = workers, W1Tasks = workloads.W1Tasks, W2Tasks = workloads.W2Tasks, W3Tasks = 2 * workers, W3Millis = 10 };
    var folder = Directory.CreateTempSubdirectory("funcexec-bench-journal-");
    try
    {
        var runs = new List<(string Label, Figures Figures)>();
        var setups = new List<(string, string[])>
        {
            ("no journal", ["--no-journal"]),
            ("SQLite journal", ["--journal", Path.Combine(folder.FullName, "journal.db")]),
        };
        // A PostgreSQL database to measure too (its tables are made on first use): --postgres URL, or FUNCEXEC_BENCH_POSTGRES.
        if ((ArgText("--postgres") ?? Environment.GetEnvironmentVariable("FUNCEXEC_BENCH_POSTGRES")) is { Length: > 0 } postgres)
        {
            setups.Add(("PostgreSQL", ["--journal", postgres]));
        }

        foreach (var (label, options) in setups)
        {
            await using var processes = await SeparateProcesses.StartAsync(workers, options);
            await using var remote = await RemoteCluster.ConnectAsync(processes.Address);
            runs.Add((label, await quick.MeasureAsync(remote, label)));
        }

        var baseline = runs[0].Figures;
        Console.WriteLine();
        Console.WriteLine($"scheduler + node ({workers} workers) as processes on 127.0.0.1; the journal in {folder.FullName}");
        Console.WriteLine($"{"",-16} {"W1 tasks/s",12} {"W1 ratio",9} {"W2 p50 µs",10} {"W2 p99 µs",10} {"W2 p50 ratio",13}");
        foreach (var (label, f) in runs)
        {
            Console.WriteLine($"{label,-16} {f.W1,12:N0} {f.W1 / baseline.W1,9:F2} {f.W2P50,10:F0} {f.W2P99,10:F0} {f.W2P50 / baseline.W2P50,13:F2}");
        }

        Console.WriteLine($"SQLite journal cost on W1: {1 - (runs[1].Figures.W1 / baseline.W1):P1} of throughput (target <= 25%)");
        if (runs.Count > 2)
        {
            Console.WriteLine($"PostgreSQL journal cost on W1: {1 - (runs[2].Figures.W1 / baseline.W1):P1} of throughput");
        }
    }
    finally
    {
        folder.Delete(recursive: true);
    }

    return 0;
}

// The floor moves with the machine's load: it is measured four times through the run (here, after each setup and after
// the baselines), and the ratios use the median of the four.
var floors = new List<double> { MeasureFloor() };

Measured embedded;
await using (var local = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = workers }))
{
    embedded = await MeasureAllAsync(local, "embedded");
}

floors.Add(MeasureFloor());

Measured distributed;
await using (var processes = await SeparateProcesses.StartAsync(workers))
await using (var remote = await RemoteCluster.ConnectAsync(processes.Address))
{
    distributed = await MeasureAllAsync(remote, "scheduler+node");
}

floors.Add(MeasureFloor());

Console.Error.WriteLine("crash refill: a task kills its worker; time until the next task starts ...");
var refillSpare = Workloads.Percentile(await Workloads.CrashRefillAsync(warmSpare: true, rounds: 15), 0.5);
var refillCold = Workloads.Percentile(await Workloads.CrashRefillAsync(warmSpare: false, rounds: 15), 0.5);

var startupFigures = await MeasureStartupAsync(Arg("--startup-rounds", 5));

var python = Baseline.RunMultiprocessing(workloads.W1Tasks, workers);
// Dask manages a few hundred to a few thousand tasks a second: a quarter of W1 is plenty.
var dask = Baseline.RunDask(Math.Max(1_000, workloads.W1Tasks / 4), workers);
// The map row's baseline: imap_unordered over as many items, chunked by the rule MapAsync's automatic chunks follow.
var imap = Baseline.RunImapUnordered(MapItems, workers, [0])?[0].ItemsPerSecond;

floors.Add(MeasureFloor());
floors.Sort();
var floorP50 = (floors[1] + floors[2]) / 2;

Console.WriteLine();
Console.WriteLine($"floor (Unix-socket ping-pong p50, the median of 4 measurements through the run: {string.Join(", ", floors.Select(f => f.ToString("F1", CultureInfo.InvariantCulture)))}): {floorP50:F1} µs; {workers} workers");
Console.WriteLine($"{"measure",-16} {"embedded",16} {"scheduler+node",16} {"multiprocessing",16} {"dask",12}  target (embedded / scheduler+node)");
Console.WriteLine($"{"W1 tasks/s",-16} {embedded.Figures.W1,16:N0} {distributed.Figures.W1,16:N0} {Cell(python?.W1, "N0"),16} {Cell(dask?.W1, "N0"),12}  >= 50,000 / >= 30,000");
Console.WriteLine($"{"W2 p50 µs",-16} {embedded.Figures.W2P50,16:F0} {distributed.Figures.W2P50,16:F0} {Cell(python?.W2P50, "F0"),16} {Cell(dask?.W2P50, "F0"),12}  <= 200 / <= 300");
Console.WriteLine($"{"W2 p99 µs",-16} {embedded.Figures.W2P99,16:F0} {distributed.Figures.W2P99,16:F0} {"-",16} {"-",12}");
Console.WriteLine($"{"W2 p50 / floor",-16} {embedded.Figures.W2P50 / floorP50,16:F1} {distributed.Figures.W2P50 / floorP50,16:F1} {Cell(python?.W2P50 / floorP50, "F1"),16} {Cell(dask?.W2P50 / floorP50, "F1"),12}");
Console.WriteLine($"{"W3 efficiency",-16} {embedded.Figures.W3,16:F3} {distributed.Figures.W3,16:F3} {"-",16} {"-",12}  >= 0.97 (ideal {embedded.Figures.W3Ideal:F2} s)");
Console.WriteLine($"{"W4 kill→next ms",-16} {Workloads.Percentile(embedded.W4.Started, 0.5),16:F1} {Workloads.Percentile(distributed.W4.Started, 0.5),16:F1} {"-",16} {"-",12}  <= 50 (p50; p90 {Workloads.Percentile(embedded.W4.Started, 0.9):F1} / {Workloads.Percentile(distributed.W4.Started, 0.9):F1})");
Console.WriteLine($"{"W4 kill→runs ms",-16} {Workloads.Percentile(embedded.W4.Ran, 0.5),16:F1} {Workloads.Percentile(distributed.W4.Ran, 0.5),16:F1} {"-",16} {"-",12}  <= 20 (p50, to the next task's own code; p90 {Workloads.Percentile(embedded.W4.Ran, 0.9):F1} / {Workloads.Percentile(distributed.W4.Ran, 0.9):F1})");
Console.WriteLine($"{"W5 wall s",-16} {embedded.W5.WithCrash,16:F2} {distributed.W5.WithCrash,16:F2} {"-",16} {"-",12}  all 100 results, crashed task retried (without the crash: {embedded.W5.Clean:F2} / {distributed.W5.Clean:F2} s)");
Console.WriteLine($"{"map items/s",-16} {embedded.Map.Chunked,16:N0} {distributed.Map.Chunked,16:N0} {Cell(imap, "N0"),16} {"-",12}  MapAsync over {MapItems:N0} items in automatic chunks vs imap_unordered with chunksize items ÷ (4 × workers) (one task per item, {MapPerItemItems:N0} items: {embedded.Map.PerItem:N0} / {distributed.Map.PerItem:N0})");
Console.WriteLine($"{"map / imap",-16} {Cell(embedded.Map.Chunked / imap, "F2"),16} {Cell(distributed.Map.Chunked / imap, "F2"),16} {"-",16} {"-",12}  >= 1.00 / >= 1.00");
Console.WriteLine($"crash refill p50: {refillSpare:F1} ms with the warm spare, {refillCold:F1} ms starting a new worker process (W4 p50 is {Workloads.Percentile(embedded.W4.Started, 0.5) / refillCold:F2}× a process start)");
PrintStartup(startupFigures);
return 0;

// Start-up, each round in a new process: the floor, `funcexec run` of one task with the installed tool,
// Cluster.StartLocalAsync() to the first result, and Dask's LocalCluster to its first result. Null when the tool
// could not be packed and installed.
async Task<Startup?> MeasureStartupAsync(int rounds)
{
    InstalledTool? installed = null;
    var tool = ArgText("--tool");
    if (tool is null)
    {
        Console.Error.WriteLine("startup: packing and installing funcexec from this build ...");
        installed = await StartupWorkloads.InstallToolAsync();
        if (installed is null)
        {
            return null;
        }

        tool = installed.Command;
    }

    using (installed)
    {
        // Taking turns, so a burst of load on this shared machine falls on all of them alike.
        var floor = new List<double>();
        var run = new List<double>();
        var local = new List<double>();
        Console.Error.WriteLine($"startup: {rounds} rounds of a .NET process that returns at once, funcexec run of one task, StartLocalAsync to a first result ...");
        for (var i = 0; i < rounds; i++)
        {
            floor.AddRange(StartupWorkloads.ProcessFloor(1));
            run.AddRange(StartupWorkloads.RunCommand(tool, 1));
            local.AddRange(StartupWorkloads.StartLocal(1));
        }

        var dask = Baseline.RunDaskStartup(workers, Math.Min(rounds, 5));
        return new Startup([.. floor.Order()], [.. run.Order()], [.. local.Order()], dask, installed?.PackageBytes ?? 0);
    }
}

static void PrintStartup(Startup? s)
{
    if (s is null)
    {
        Console.WriteLine("start-up: not measured (the tool could not be packed and installed; see above)");
        return;
    }

    static string Figure(double[] times) => $"{Workloads.Percentile(times, 0.5),8:F0} ms (p90 {Workloads.Percentile(times, 0.9):F0})";
    Console.WriteLine($"start-up, {s.Run.Length} rounds, each a new process, p50:");
    Console.WriteLine($"{"  .NET process that returns at once",-44} {Figure(s.Floor)}");
    Console.WriteLine($"{"  funcexec run, one task: start → result",-44} {Figure(s.Run)}  target <= 300 ({Workloads.Percentile(s.Run, 0.5) / Workloads.Percentile(s.Floor, 0.5):F1}× the floor)"
        + (s.PackageBytes > 0 ? $"; tool package {s.PackageBytes / 1e6:F1} MB" : string.Empty));
    Console.WriteLine($"{"  StartLocalAsync → first lambda result",-44} {Figure(s.Local)}  target <= 300");
    Console.WriteLine(s.Dask is { } dask
        ? $"{"  Dask LocalCluster → first result",-44} {Figure(dask)}  (StartLocalAsync: {Workloads.Percentile(s.Local, 0.5) / Workloads.Percentile(dask, 0.5):F2}× Dask's)"
        : $"{"  Dask LocalCluster → first result",-44} {"-",8}  (not installed: apt-get install python3-distributed)");
}

// Every measure of one cluster, in order; the label prefixes the progress lines.
async Task<Measured> MeasureAllAsync(ICluster cluster, string label)
{
    var figures = await workloads.MeasureAsync(cluster, label);
    Console.Error.WriteLine($"{label} W4: kill a running task, time until the queued one starts ...");
    var w4 = await KillWorkloads.KillRefillAsync(cluster, workers, rounds: 15);
    Console.Error.WriteLine($"{label} W5: 100 tasks of 20 ms, one crashes its worker once ...");
    var w5 = await KillWorkloads.CrashRecoveryAsync(cluster);
    Console.Error.WriteLine($"{label} map: MapAsync over {MapItems:N0} tiny items ...");
    var map = await MapWorkload.MeasureAsync(cluster, MapItems, MapPerItemItems);
    return new Measured(figures, w4, w5, map);
}

static double MeasureFloor()
{
    Console.Error.WriteLine("floor: Unix-socket ping-pong between two .NET processes ...");
    return Workloads.Percentile(PingPong.Measure(20_000), 0.50);
}

// A baseline's figure, or "-" when it did not run.
static string Cell(double? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "-";

string? ArgText(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

/// <summary>Every figure of one cluster: W1–W3, W4's kill→next times, W5, and MapAsync.</summary>
internal sealed record Measured(Figures Figures, KillTimes W4, (double WithCrash, double Clean) W5, (double Chunked, double PerItem) Map);

/// <summary>Start-up times in milliseconds, each sorted: the floor (a .NET process that returns at once), <c>funcexec
/// run</c> of one task, <c>StartLocalAsync</c> to a first result, and Dask's (null when not installed); and the size
/// of the tool package measured, when the benchmark packed it.</summary>
internal sealed record Startup(double[] Floor, double[] Run, double[] Local, double[]? Dask, long PackageBytes);
