using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FuncExec.Core.Telemetry;

/// <summary>
/// The instruments of the scheduler, the nodes and the journal, on <see cref="FuncExecTelemetry.Meter"/>: names and
/// units in the style of the OpenTelemetry semantic conventions (<c>funcexec.tasks.finished</c>, unit <c>{task}</c>;
/// durations in seconds). The connection instruments (frames, bytes, refused peers) live beside the frame reader, in
/// <c>FuncExec.Protocol.Diagnostics.ConnectionMetrics</c>, which does not reference this assembly.
/// </summary>
/// <remarks>
/// <para>Attributes come from fixed sets (an outcome, a reason, a role) or from names an operator chose (a node, a
/// computation), never from ids, so the number of series stays bounded. The task counters are totals added
/// atomically and observed when a collector asks, so scheduling a task pays no lookup of tags; the histograms'
/// tags are prebuilt, and with nothing listening a <c>Record</c> is a branch.</para>
/// <para>The gauges (queue length, busy and idle workers) are observed from whoever registered with
/// <see cref="ObserveScheduler"/>: the scheduler answers from the snapshot the dashboard reads. The node's gauge
/// (its warm spare ready) is observed from the nodes registered with <see cref="ObserveNode"/>.</para>
/// </remarks>
internal static class FuncExecMetrics
{
    /// <summary>The attribute naming how a task ended: <c>succeeded</c>, <c>failed</c>, <c>timed_out</c>, <c>cancelled</c>, <c>killed</c>.</summary>
    public const string OutcomeKey = "funcexec.task.outcome";

    /// <summary>The attribute naming a node.</summary>
    public const string NodeKey = "funcexec.node";

    /// <summary>The attribute naming a computation (its name; <c>(implicit)</c> for tasks submitted outside one).</summary>
    public const string ComputationKey = "funcexec.computation";

    /// <summary>The attribute saying why, from a fixed set per instrument.</summary>
    public const string ReasonKey = "funcexec.reason";

    /// <summary>The attribute saying how a worker was replaced: <c>spare</c> (a warm spare took over) or <c>spawn</c>.</summary>
    public const string ReplacementKey = "funcexec.worker.replacement";

    /// <summary>The attribute naming a journal's store: <c>sqlite</c> or <c>postgres</c>.</summary>
    public const string StoreKey = "funcexec.journal.store";

    /// <summary>Bucket boundaries, in seconds, for durations from a millisecond to ten minutes.</summary>
    private static readonly double[] SecondsBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    /// <summary>Bucket boundaries, in seconds, for journal commits: from 100 µs to 5 s.</summary>
    private static readonly double[] CommitBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private static readonly KeyValuePair<string, object?>[] Outcomes =
    [
        new(OutcomeKey, "succeeded"),
        new(OutcomeKey, "failed"),
        new(OutcomeKey, "timed_out"),
        new(OutcomeKey, "cancelled"),
        new(OutcomeKey, "killed"),
    ];

    private static readonly Lock ObserversLock = new();
    private static WeakReference<ISchedulerGauges>[] _schedulers = [];
    private static WeakReference<INodeGauges>[] _nodes = [];

    // The task counts, added with Interlocked under the scheduler's lock and read when a collector asks: a task costs
    // an atomic add per step whether or not anything listens, never a lookup of its tags.
    private static readonly long[] Finished = new long[Outcomes.Length];
    private static long _submitted;
    private static long _started;
    private static long _retried;

    // Whether a scheduler ever ran in this process: only then are the task counters reported, so a node's own
    // endpoint does not show zeros of counters only a scheduler keeps (which a sum across instances would mix in).
    private static volatile bool _schedulerSeen;

    /// <summary>Tasks the scheduler accepted from submitters (retries are not counted again).</summary>
    public static readonly ObservableCounter<long> TasksSubmitted = FuncExecTelemetry.Meter.CreateObservableCounter(
        "funcexec.tasks.submitted", static () => SchedulerTotal(Volatile.Read(ref _submitted)), "{task}", "Tasks the scheduler accepted from submitters");

    /// <summary>Attempts that began on a worker.</summary>
    public static readonly ObservableCounter<long> TasksStarted = FuncExecTelemetry.Meter.CreateObservableCounter(
        "funcexec.tasks.started", static () => SchedulerTotal(Volatile.Read(ref _started)), "{task}", "Task attempts that began on a worker");

    /// <summary>Tasks that reached a final state, by <see cref="OutcomeKey"/>.</summary>
    public static readonly ObservableCounter<long> TasksFinished = FuncExecTelemetry.Meter.CreateObservableCounter(
        "funcexec.tasks.finished", ObserveFinished, "{task}", "Tasks that reached a final state, by outcome");

    /// <summary>Failed or timed-out attempts queued again for another attempt.</summary>
    public static readonly ObservableCounter<long> TasksRetried = FuncExecTelemetry.Meter.CreateObservableCounter(
        "funcexec.tasks.retried", static () => SchedulerTotal(Volatile.Read(ref _retried)), "{task}", "Failed or timed-out attempts queued again");

    /// <summary>From a task's last start on a worker to its end, by <see cref="OutcomeKey"/>.</summary>
    public static readonly Histogram<double> TaskDuration = FuncExecTelemetry.Meter.CreateHistogram(
        "funcexec.task.duration", "s", "How long a task's last attempt ran on its worker, by outcome", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    /// <summary>From a task entering the queue (submitted or retried) to its start on a worker.</summary>
    public static readonly Histogram<double> TaskQueueWait = FuncExecTelemetry.Meter.CreateHistogram(
        "funcexec.task.queue_wait", "s", "How long a task waited from entering the queue to starting on a worker", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    /// <summary>Worker processes that ended while their node ran, by <see cref="ReasonKey"/>: <c>killed</c> (a task
    /// was killed on request), <c>timed_out</c> (a task ran past its timeout) or <c>exited</c> (it crashed or quit).</summary>
    public static readonly Counter<long> WorkerDeaths = FuncExecTelemetry.Meter.CreateCounter<long>(
        "funcexec.worker.deaths", "{worker}", "Worker processes that ended while their node ran, by reason");

    /// <summary>Workers that took a dead one's place and said hello, by <see cref="ReplacementKey"/>.</summary>
    public static readonly Counter<long> WorkerRespawns = FuncExecTelemetry.Meter.CreateCounter<long>(
        "funcexec.worker.respawns", "{worker}", "Workers that took a dead one's place, by how (a warm spare or a new process)");

    /// <summary>Warm spare workers handed over to a slot whose worker died.</summary>
    public static readonly Counter<long> SpareHandovers = FuncExecTelemetry.Meter.CreateCounter<long>(
        "funcexec.spare.handovers", "{worker}", "Warm spare workers handed to a slot whose worker died");

    /// <summary>Warm spare workers started, connected and ready to take a dead worker's place, by <see cref="NodeKey"/>:
    /// 1 while a node's spare is ready, 0 while it has none (it is starting, or it just took a slot).</summary>
    public static readonly ObservableGauge<int> SparesReady = FuncExecTelemetry.Meter.CreateObservableGauge(
        "funcexec.spare.ready", ObserveSpares, "{worker}", "Warm spare workers connected and ready to take a dead worker's place, by node");

    /// <summary>From the node seeing a worker end to its replacement taking work, by <see cref="ReplacementKey"/>.</summary>
    public static readonly Histogram<double> KillRefillDuration = FuncExecTelemetry.Meter.CreateHistogram(
        "funcexec.kill.refill.duration", "s", "From a worker's end to its replacement saying hello, by how it was replaced", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    /// <summary>Journal commits (one transaction each, holding one or more batches), by <see cref="StoreKey"/>.</summary>
    public static readonly Counter<long> JournalWrites = FuncExecTelemetry.Meter.CreateCounter<long>(
        "funcexec.journal.writes", "{commit}", "Journal transactions committed, by store");

    /// <summary>How long a journal commit took, by <see cref="StoreKey"/>.</summary>
    public static readonly Histogram<double> JournalWriteDuration = FuncExecTelemetry.Meter.CreateHistogram(
        "funcexec.journal.write.duration", "s", "How long a journal transaction took to apply and commit, by store", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = CommitBuckets });

    /// <summary>Tasks not started yet, by <see cref="ComputationKey"/>, as the dashboard counts them.</summary>
    public static readonly ObservableGauge<int> QueueLength = FuncExecTelemetry.Meter.CreateObservableGauge(
        "funcexec.queue.length", () => Observe(static (g, into) => g.ObserveQueue(into)), "{task}", "Tasks waiting to start, by computation");

    /// <summary>Workers running a task (or held by a multi-core one), by <see cref="NodeKey"/>.</summary>
    public static readonly ObservableGauge<int> WorkersBusy = FuncExecTelemetry.Meter.CreateObservableGauge(
        "funcexec.workers.busy", () => Observe(static (g, into) => g.ObserveWorkers(into, busy: true)), "{worker}", "Workers running a task, by node");

    /// <summary>Ready workers without a task, by <see cref="NodeKey"/>.</summary>
    public static readonly ObservableGauge<int> WorkersIdle = FuncExecTelemetry.Meter.CreateObservableGauge(
        "funcexec.workers.idle", () => Observe(static (g, into) => g.ObserveWorkers(into, busy: false)), "{worker}", "Ready workers without a task, by node");

    /// <summary>The death of a worker whose task was killed on request.</summary>
    public static readonly KeyValuePair<string, object?> DiedKilled = new(ReasonKey, "killed");

    /// <summary>The death of a worker whose task ran past its timeout.</summary>
    public static readonly KeyValuePair<string, object?> DiedTimedOut = new(ReasonKey, "timed_out");

    /// <summary>The death of a worker that crashed or quit on its own.</summary>
    public static readonly KeyValuePair<string, object?> DiedExited = new(ReasonKey, "exited");

    /// <summary>A worker replaced by the node's warm spare.</summary>
    public static readonly KeyValuePair<string, object?> ReplacedBySpare = new(ReplacementKey, "spare");

    /// <summary>A worker replaced by a new process.</summary>
    public static readonly KeyValuePair<string, object?> ReplacedBySpawn = new(ReplacementKey, "spawn");

    /// <summary>Counts <paramref name="count"/> tasks accepted.</summary>
    public static void TasksAccepted(int count) => Interlocked.Add(ref _submitted, count);

    /// <summary>Counts an attempt that began on a worker.</summary>
    public static void TaskStarted() => Interlocked.Increment(ref _started);

    /// <summary>Counts an attempt queued again.</summary>
    public static void TaskRetried() => Interlocked.Increment(ref _retried);

    /// <summary>Counts a task that reached <paramref name="state"/>.</summary>
    public static void TaskFinished(TaskState state) => Interlocked.Increment(ref Finished[(int)state]);

    /// <summary>The tag for a final state, prebuilt.</summary>
    public static KeyValuePair<string, object?> Outcome(TaskState state) => Outcomes[(int)state];

    /// <summary>Seconds since <paramref name="startTimestamp"/>, a <see cref="Stopwatch.GetTimestamp"/>.</summary>
    public static double SecondsSince(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;

    /// <summary>Has <paramref name="gauges"/> answer for the gauges while it lives. Held weakly: a scheduler that
    /// is collected stops answering without being told to.</summary>
    public static void ObserveScheduler(ISchedulerGauges gauges)
    {
        ArgumentNullException.ThrowIfNull(gauges);
        lock (ObserversLock)
        {
            _schedulers = [.. _schedulers, new WeakReference<ISchedulerGauges>(gauges)];
            _schedulerSeen = true;
        }
    }

    /// <summary>Stops <paramref name="gauges"/> answering (the scheduler stopped).</summary>
    public static void StopObserving(ISchedulerGauges gauges)
    {
        lock (ObserversLock)
        {
            _schedulers = [.. _schedulers.Where(w => w.TryGetTarget(out var g) && !ReferenceEquals(g, gauges))];
        }
    }

    /// <summary>Has <paramref name="gauges"/> answer for the node gauges while it lives; held weakly, as schedulers are.</summary>
    public static void ObserveNode(INodeGauges gauges)
    {
        ArgumentNullException.ThrowIfNull(gauges);
        lock (ObserversLock)
        {
            _nodes = [.. _nodes, new WeakReference<INodeGauges>(gauges)];
        }
    }

    /// <summary>Stops <paramref name="gauges"/> answering (the node stopped).</summary>
    public static void StopObserving(INodeGauges gauges)
    {
        lock (ObserversLock)
        {
            _nodes = [.. _nodes.Where(w => w.TryGetTarget(out var g) && !ReferenceEquals(g, gauges))];
        }
    }

    private static List<Measurement<int>> ObserveSpares() => ObserveEach(ref _nodes, static (node, into) => node.ObserveSpares(into));

    private static Measurement<long>[] SchedulerTotal(long total) => _schedulerSeen ? [new Measurement<long>(total)] : [];

    private static Measurement<long>[] ObserveFinished()
    {
        if (!_schedulerSeen)
        {
            return [];
        }

        var measurements = new Measurement<long>[Finished.Length];
        for (var i = 0; i < Finished.Length; i++)
        {
            measurements[i] = new Measurement<long>(Volatile.Read(ref Finished[i]), Outcomes[i]);
        }

        return measurements;
    }

    private static List<Measurement<int>> Observe(Action<ISchedulerGauges, List<Measurement<int>>> observe) => ObserveEach(ref _schedulers, observe);

    /// <summary>Asks each observer still alive; those collected are dropped from <paramref name="observers"/>.</summary>
    private static List<Measurement<int>> ObserveEach<T>(ref WeakReference<T>[] observers, Action<T, List<Measurement<int>>> observe)
        where T : class
    {
        var measurements = new List<Measurement<int>>();
        var dead = false;
        foreach (var weak in Volatile.Read(ref observers))
        {
            if (weak.TryGetTarget(out var gauges))
            {
                observe(gauges, measurements);
            }
            else
            {
                dead = true;
            }
        }

        if (dead)
        {
            lock (ObserversLock)
            {
                observers = [.. observers.Where(w => w.TryGetTarget(out _))];
            }
        }

        return measurements;
    }
}
