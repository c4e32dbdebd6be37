using System.Diagnostics.Metrics;
using FuncExec.Core.Telemetry;
using FuncExec.Protocol.V1;

namespace FuncExec.Worker;

/// <summary>
/// A worker's own instruments, on <see cref="FuncExecTelemetry.Meter"/>: the tasks it ran by outcome and how long their
/// code took as the worker measured it, the map items it ran, the assemblies it loaded and the computations it holds,
/// and its memory. Every measurement carries <see cref="FuncExecMetrics.NodeKey"/> and <see cref="CoreKey"/> (the first
/// core the worker is pinned to), so the series of a cluster are bounded by its cores.
/// </summary>
/// <remarks>
/// <para>A worker has no port: these reach a collector only through the worker's OTLP export
/// (<see cref="WorkerTelemetry"/>). What happens <em>to</em> a worker (killed, timed out, respawned) its node counts.</para>
/// <para>The counts are totals the executing thread adds and a collection reads, so a task costs a few adds whether or
/// not anything listens; the histogram's <c>Record</c> is a branch with nothing listening. The attributes are
/// prebuilt, and rebuilt only when a warm spare is adopted onto other cores.</para>
/// </remarks>
internal static class WorkerMetrics
{
    /// <summary>The attribute naming the first core a worker is pinned to.</summary>
    public const string CoreKey = "funcexec.worker.core";

    // By TaskOutcome's number; a worker itself sees only these three: a task that times out or is killed ends its process.
    private static readonly (TaskOutcome Outcome, string Name)[] Outcomes =
    [
        (TaskOutcome.Succeeded, "succeeded"),
        (TaskOutcome.Failed, "failed"),
        (TaskOutcome.Cancelled, "cancelled"),
    ];

    private static readonly double[] SecondsBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    private static readonly long[] Ran = new long[Outcomes.Length];
    private static long _mapItems;
    private static long _assembliesLoaded;
    private static long _computationsOpened;
    private static long _computationsClosed;

    // Node and core, then the same with each outcome: swapped whole when a spare is adopted.
    private static Tags _tags = new(string.Empty, 0);

    /// <summary>Tasks this worker ran, by <see cref="FuncExecMetrics.OutcomeKey"/>: <c>succeeded</c>, <c>failed</c>
    /// (threw, or could not be resolved) or <c>cancelled</c> (while it ran, or before it started).</summary>
    public static readonly ObservableCounter<long> Tasks = FuncExecTelemetry.Meter.CreateObservableCounter(
        "funcexec.worker.tasks", ObserveTasks, "{task}", "Tasks this worker ran, by outcome");

    /// <summary>How long a task's code ran in the worker (from its start to its result, as the worker timed it), by outcome.</summary>
    public static readonly Histogram<double> TaskDuration = FuncExecTelemetry.Meter.CreateHistogram(
        "funcexec.worker.task.duration", "s", "How long a task ran inside the worker, by outcome", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    /// <summary>Items of map chunks this worker called its function for.</summary>
    public static readonly ObservableCounter<long> MapItems = FuncExecTelemetry.Meter.CreateObservableCounter(
        "funcexec.worker.map.items", static () => new Measurement<long>(Volatile.Read(ref _mapItems), Volatile.Read(ref _tags).Where),
        "{item}", "Map items this worker ran");

    /// <summary>Component assemblies this worker loaded (once per assembly, and again in each computation that uses it).</summary>
    public static readonly ObservableCounter<long> AssembliesLoaded = FuncExecTelemetry.Meter.CreateObservableCounter(
        "funcexec.worker.assemblies.loaded", static () => new Measurement<long>(Volatile.Read(ref _assembliesLoaded), Volatile.Read(ref _tags).Where),
        "{assembly}", "Component assemblies this worker loaded");

    /// <summary>Computations whose load context this worker holds (opened by their first task, dropped when they close).</summary>
    public static readonly ObservableUpDownCounter<long> ComputationsOpen = FuncExecTelemetry.Meter.CreateObservableUpDownCounter(
        "funcexec.worker.computations.open",
        static () => new Measurement<long>(Volatile.Read(ref _computationsOpened) - Volatile.Read(ref _computationsClosed), Volatile.Read(ref _tags).Where),
        "{computation}", "Computations whose assemblies this worker holds loaded");

    /// <summary>The worker's managed heap after its last collection.</summary>
    public static readonly ObservableGauge<long> HeapSize = FuncExecTelemetry.Meter.CreateObservableGauge(
        "funcexec.worker.gc.heap.size", static () => new Measurement<long>(GC.GetGCMemoryInfo().HeapSizeBytes, Volatile.Read(ref _tags).Where),
        "By", "The worker's managed heap size after its last garbage collection");

    /// <summary>The worker process's working set.</summary>
    public static readonly ObservableGauge<long> WorkingSet = FuncExecTelemetry.Meter.CreateObservableGauge(
        "funcexec.worker.memory.working_set", static () => new Measurement<long>(Environment.WorkingSet, Volatile.Read(ref _tags).Where),
        "By", "The worker process's working set");

    /// <summary>Names the worker in its measurements: its node and its first core. Called at start and when a spare is adopted.</summary>
    public static void Identify(string nodeName, IReadOnlyList<int> cores) =>
        Volatile.Write(ref _tags, new Tags(nodeName, cores.Count > 0 ? cores[0] : -1));

    /// <summary>Counts a task that ran (or was cancelled before it started), and its time when anything listens.</summary>
    public static void TaskEnded(TaskResult result)
    {
        var index = IndexOf(result.Outcome);
        if (index < 0)
        {
            return;
        }

        Interlocked.Increment(ref Ran[index]);
        if (TaskDuration.Enabled && result.StartedUnixUs > 0)
        {
            // The worker's own stamps, the ones its result carries: no clock is read for the metric.
            TaskDuration.Record(Math.Max(0, result.FinishedUnixUs - result.StartedUnixUs) / 1e6, Volatile.Read(ref _tags).WithOutcome[index]);
        }
    }

    /// <summary>Counts <paramref name="count"/> map items called.</summary>
    public static void MapItemsRan(int count) => Interlocked.Add(ref _mapItems, count);

    /// <summary>Counts an assembly loaded from the node's store.</summary>
    public static void AssemblyLoaded() => Interlocked.Increment(ref _assembliesLoaded);

    /// <summary>Counts a computation's scope opened in this worker.</summary>
    public static void ComputationOpened() => Interlocked.Increment(ref _computationsOpened);

    /// <summary>Counts a computation's scope dropped.</summary>
    public static void ComputationClosed() => Interlocked.Increment(ref _computationsClosed);

    private static int IndexOf(TaskOutcome outcome)
    {
        for (var i = 0; i < Outcomes.Length; i++)
        {
            if (Outcomes[i].Outcome == outcome)
            {
                return i;
            }
        }

        return -1;
    }

    private static Measurement<long>[] ObserveTasks()
    {
        var tags = Volatile.Read(ref _tags);
        var measurements = new Measurement<long>[Outcomes.Length];
        for (var i = 0; i < Outcomes.Length; i++)
        {
            measurements[i] = new Measurement<long>(Volatile.Read(ref Ran[i]), tags.WithOutcome[i]);
        }

        return measurements;
    }

    /// <summary>A worker's attributes, built once.</summary>
    private sealed class Tags
    {
        public Tags(string node, int core)
        {
            Where = [new(FuncExecMetrics.NodeKey, node), new(CoreKey, core)];
            WithOutcome = new KeyValuePair<string, object?>[Outcomes.Length][];
            for (var i = 0; i < Outcomes.Length; i++)
            {
                WithOutcome[i] = [.. Where, new(FuncExecMetrics.OutcomeKey, Outcomes[i].Name)];
            }
        }

        public KeyValuePair<string, object?>[] Where { get; }

        public KeyValuePair<string, object?>[][] WithOutcome { get; }
    }
}
