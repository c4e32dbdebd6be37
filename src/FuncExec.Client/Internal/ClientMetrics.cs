using System.Diagnostics;
using System.Diagnostics.Metrics;
using FuncExec.Core.Telemetry;

namespace FuncExec.Client.Internal;

/// <summary>
/// The client's instruments, on <see cref="FuncExecTelemetry.Meter"/>: the tasks this process submitted, the reports it
/// saw by outcome, how long each took from submission to its report here, and how many still wait for one.
/// </summary>
/// <remarks>
/// <para>A task is counted submitted when the client hands it to the cluster (a run's tasks, those refused by the client
/// itself included, or a computation's submission), and completed once, when its report reaches the client, by
/// <see cref="FuncExecMetrics.OutcomeKey"/>; <c>lost</c> counts those the client stopped waiting for without a report (the
/// cluster was disposed or its scheduler lost, a submission failed, a run's wait was cancelled on a remote cluster).
/// So <c>submitted</c> = <c>pending</c> + every outcome's <c>completed</c>.</para>
/// <para>Counts are totals added atomically and read when a collector asks; the duration's <c>Record</c> is a branch
/// with nothing listening. The attributes come from fixed sets.</para>
/// </remarks>
internal static class ClientMetrics
{
    private static readonly double[] SecondsBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    // TaskState's five outcomes by number, then the client's own: no report came.
    private static readonly KeyValuePair<string, object?>[] Outcomes =
    [
        FuncExecMetrics.Outcome(TaskState.Succeeded),
        FuncExecMetrics.Outcome(TaskState.Failed),
        FuncExecMetrics.Outcome(TaskState.TimedOut),
        FuncExecMetrics.Outcome(TaskState.Cancelled),
        FuncExecMetrics.Outcome(TaskState.Killed),
        new(FuncExecMetrics.OutcomeKey, "lost"),
    ];

    private static readonly int LostIndex = Outcomes.Length - 1;

    private static readonly long[] Completed = new long[Outcomes.Length];
    private static long _submitted;
    private static long _mapItems;

    /// <summary>Tasks this process submitted.</summary>
    public static readonly ObservableCounter<long> TasksSubmitted = FuncExecTelemetry.Meter.CreateObservableCounter(
        "funcexec.client.tasks.submitted", static () => Volatile.Read(ref _submitted), "{task}", "Tasks this client submitted");

    /// <summary>Tasks whose report reached this process, by <see cref="FuncExecMetrics.OutcomeKey"/> (<c>lost</c>: none will).</summary>
    public static readonly ObservableCounter<long> TasksCompleted = FuncExecTelemetry.Meter.CreateObservableCounter(
        "funcexec.client.tasks.completed", ObserveCompleted, "{task}", "Tasks whose report reached this client, by outcome (lost: the client stopped waiting)");

    /// <summary>Tasks submitted whose report has not reached this process yet.</summary>
    public static readonly ObservableUpDownCounter<long> TasksPending = FuncExecTelemetry.Meter.CreateObservableUpDownCounter(
        "funcexec.client.tasks.pending", static () => Pending, "{task}", "Tasks this client submitted and has no report of yet");

    /// <summary>From a task's submission to its report reaching this process, by <see cref="FuncExecMetrics.OutcomeKey"/>.</summary>
    public static readonly Histogram<double> TaskDuration = FuncExecTelemetry.Meter.CreateHistogram(
        "funcexec.client.task.duration", "s", "From a task's submission to its report reaching this client, by outcome", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    /// <summary>Items this process's maps submitted (a map sends them in chunks, a task each).</summary>
    public static readonly ObservableCounter<long> MapItems = FuncExecTelemetry.Meter.CreateObservableCounter(
        "funcexec.client.map.items", static () => Volatile.Read(ref _mapItems), "{item}", "Map items this client submitted");

    /// <summary>Submitted and not reported, as the pending gauge reads it.</summary>
    internal static long Pending
    {
        get
        {
            var pending = Volatile.Read(ref _submitted);
            for (var i = 0; i < Completed.Length; i++)
            {
                pending -= Volatile.Read(ref Completed[i]);
            }

            return pending;
        }
    }

    /// <summary>Counts <paramref name="count"/> tasks submitted now.</summary>
    /// <returns>The timestamp to measure their durations from (<see cref="Stopwatch.GetTimestamp"/>).</returns>
    public static long Submitted(int count)
    {
        Interlocked.Add(ref _submitted, count);
        return Stopwatch.GetTimestamp();
    }

    /// <summary>Counts a task's report seen, and its time since <paramref name="submittedAt"/> when anything listens.</summary>
    public static void Reported(TaskState state, long submittedAt)
    {
        var index = (uint)state < (uint)LostIndex ? (int)state : LostIndex;
        Interlocked.Increment(ref Completed[index]);
        if (TaskDuration.Enabled && submittedAt != 0)
        {
            TaskDuration.Record(Stopwatch.GetElapsedTime(submittedAt).TotalSeconds, Outcomes[index]);
        }
    }

    /// <summary>Counts <paramref name="count"/> tasks whose report will not be seen.</summary>
    public static void Lost(int count)
    {
        if (count > 0)
        {
            Interlocked.Add(ref Completed[LostIndex], count);
        }
    }

    /// <summary>Counts <paramref name="count"/> items of a map.</summary>
    public static void MapItemsSubmitted(int count) => Interlocked.Add(ref _mapItems, count);

    /// <summary>Takes one from <paramref name="unreported"/> unless it is 0: a run's or a task's share of the pending
    /// count, so that a report arriving after the client gave up on it (counted lost) is not counted again.</summary>
    public static bool TakeOne(ref int unreported)
    {
        var current = Volatile.Read(ref unreported);
        while (current > 0)
        {
            var seen = Interlocked.CompareExchange(ref unreported, current - 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    private static Measurement<long>[] ObserveCompleted()
    {
        var measurements = new Measurement<long>[Outcomes.Length];
        for (var i = 0; i < Outcomes.Length; i++)
        {
            measurements[i] = new Measurement<long>(Volatile.Read(ref Completed[i]), Outcomes[i]);
        }

        return measurements;
    }
}
