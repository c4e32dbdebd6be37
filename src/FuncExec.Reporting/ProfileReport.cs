using FuncExec.Core.Tasks;
using FuncExec.Reporting.Internal;

namespace FuncExec.Reporting;

/// <summary>What a recorded profile says about a run: its throughput, how busy each worker was, and the series
/// the HTML report draws. <see cref="Load"/> reads one from a profile CSV.</summary>
/// <remarks>
/// <para><b>Span.</b> From the earliest <c>started_us</c> of any task row to the latest <c>finished_us</c>
/// (<see cref="ProfileSpanSource.Tasks"/>). When no task started, or that span is empty, it is the first to the
/// last sample (<see cref="ProfileSpanSource.Samples"/>); with neither it is empty
/// (<see cref="ProfileSpanSource.None"/>).</para>
/// <para><b>Throughput.</b> Task rows (tasks that finished, whatever their status) divided by the span in
/// seconds; 0 for an empty span.</para>
/// <para><b>Utilization.</b> For each worker, the time it held a task within the span divided by the span.
/// Overlapping intervals count once. A task holding k cores keeps busy its own worker and, for each further core
/// it lists, the worker of the same node that the profile's <c>worker</c> rows pin to that core.</para>
/// </remarks>
internal sealed partial class ProfileReport
{
    /// <summary>More task bars than this in the worker timeline are thinned by merging neighbours.</summary>
    internal const int DefaultMaxGanttBars = 20_000;

    /// <summary>Queue samples beyond this are thinned (each point keeps the largest values it replaces).</summary>
    internal const int MaxQueuePoints = 4_000;

    /// <summary>The throughput chart's bins: as many as this at most, of a round width.</summary>
    internal const int MaxThroughputBins = 100;

    /// <summary>Tasks that did not succeed listed with their errors, at most: the first in the file.</summary>
    internal const int MaxFailedListed = 100;

    private readonly Profile _profile;

    internal ProfileReport(Profile profile, int maxGanttBars = DefaultMaxGanttBars)
    {
        _profile = profile;
        Path = profile.Source;
        Tasks = profile.Tasks.Count;
        TasksByStatus = Enum.GetValues<TaskState>()
            .ToDictionary(s => s, s => profile.Tasks.Count(t => t.Status == s))
            .AsReadOnly();
        (SpanStartUs, SpanEndUs, SpanSource) = MeasureSpan(profile);
        OriginUs = Origin(profile, SpanStartUs);
        Throughput = SpanSource == ProfileSpanSource.None ? 0 : Tasks / Span.TotalSeconds;
        (Workers, var bars) = MeasureWorkers(profile, SpanStartUs, SpanEndUs);
        MeanUtilization = Workers.Count == 0 ? 0 : Workers.Average(w => w.Utilization);
        Gantt = GanttBuilder.Build(bars, SpanEndUs - SpanStartUs, maxGanttBars);
        (ThroughputBinUs, ThroughputBins) = Bin(profile, SpanStartUs, SpanEndUs);
        Queue = Thin(profile.Samples);
        Deaths = profile.Workers.Where(w => w.Died).ToArray();
        Failed = profile.Tasks.Where(t => t.Status != TaskState.Succeeded).Take(MaxFailedListed).ToArray();
    }

    /// <summary>The profile's path, as given to <see cref="Load"/>.</summary>
    public string Path { get; }

    /// <summary>Tasks that finished, whatever their status (the profile's task rows).</summary>
    public int Tasks { get; }

    /// <summary><see cref="Tasks"/> by final status; every status is present.</summary>
    public IReadOnlyDictionary<TaskState, int> TasksByStatus { get; }

    /// <summary>Where the span starts; see the remarks.</summary>
    public DateTimeOffset SpanStart => UnixTime.FromMicroseconds(SpanStartUs) ?? DateTimeOffset.UnixEpoch;

    /// <summary>Where the span ends.</summary>
    public DateTimeOffset SpanEnd => UnixTime.FromMicroseconds(SpanEndUs) ?? DateTimeOffset.UnixEpoch;

    /// <summary>The time throughput and utilization are measured over.</summary>
    public TimeSpan Span => TimeSpan.FromMicroseconds(SpanEndUs - SpanStartUs);

    /// <summary>What <see cref="Span"/> was measured from.</summary>
    public ProfileSpanSource SpanSource { get; }

    /// <summary>Finished tasks per second over the span (<see cref="Tasks"/> / <see cref="Span"/>); 0 for an empty span.</summary>
    public double Throughput { get; }

    /// <summary>Every worker the profile names (in worker rows or task rows), in natural order of name.</summary>
    public IReadOnlyList<WorkerUtilization> Workers { get; }

    /// <summary>The mean of the workers' utilization, 0 to 1.</summary>
    public double MeanUtilization { get; }

    /// <summary>The span for a reader: its length and what it was measured from, e.g. <c>12.345 s from the first
    /// task start to the last task finish</c>.</summary>
    public string SpanDescription => SpanSource switch
    {
        ProfileSpanSource.Tasks => $"{ReportFormat.Seconds(Span)} from the first task start to the last task finish",
        ProfileSpanSource.Samples => $"{ReportFormat.Seconds(Span)} from the first sample to the last (no task ran)",
        _ => "nothing ran",
    };

    /// <summary>Sample rows in the profile.</summary>
    public int Samples => _profile.Samples.Count;

    internal long SpanStartUs { get; }

    internal long SpanEndUs { get; }

    /// <summary>Time zero of the charts: the profile's earliest time.</summary>
    internal long OriginUs { get; }

    internal GanttChart Gantt { get; }

    internal long ThroughputBinUs { get; }

    internal IReadOnlyList<ThroughputBin> ThroughputBins { get; }

    internal IReadOnlyList<ProfileSampleRow> Queue { get; }

    /// <summary>The worker-died rows, in file order.</summary>
    internal IReadOnlyList<ProfileWorkerRow> Deaths { get; }

    /// <summary>The first <see cref="MaxFailedListed"/> task rows that did not succeed, in file order, with their errors.</summary>
    internal IReadOnlyList<ProfileTaskRow> Failed { get; }

    /// <summary>Task rows that did not succeed, all of them.</summary>
    internal int FailedTotal => Tasks - TasksByStatus[TaskState.Succeeded];

    /// <summary>Reads a profile CSV written by <see cref="ProfileRecorder"/> and computes its report.</summary>
    /// <exception cref="ProfileFormatException">The file is not a well-formed profile; the message names the line.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ProfileReport Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new ProfileReport(ProfileReader.Read(path));
    }

    private static (long Start, long End, ProfileSpanSource Source) MeasureSpan(Profile profile)
    {
        long start = long.MaxValue, end = long.MinValue;
        foreach (var task in profile.Tasks)
        {
            if (task.StartedUs is { } started)
            {
                start = Math.Min(start, started);
            }

            end = Math.Max(end, task.FinishedUs);
        }

        if (start != long.MaxValue && end > start)
        {
            return (start, end, ProfileSpanSource.Tasks);
        }

        if (profile.Samples.Count > 0)
        {
            var first = profile.Samples.Min(s => s.TimeUs);
            var last = profile.Samples.Max(s => s.TimeUs);
            if (last > first)
            {
                return (first, last, ProfileSpanSource.Samples);
            }
        }

        var any = AllTimes(profile).DefaultIfEmpty(0).Min();
        return (any, any, ProfileSpanSource.None);
    }

    private static long Origin(Profile profile, long spanStart) => Math.Min(spanStart, AllTimes(profile).DefaultIfEmpty(spanStart).Min());

    private static IEnumerable<long> AllTimes(Profile profile) =>
        profile.Tasks.Select(t => t.QueuedUs ?? t.StartedUs ?? t.FinishedUs)
            .Concat(profile.Samples.Select(s => s.TimeUs))
            .Concat(profile.Workers.Select(w => w.TimeUs));

    private static (long BinUs, IReadOnlyList<ThroughputBin> Bins) Bin(Profile profile, long start, long end)
    {
        if (end <= start)
        {
            return (0, []);
        }

        var width = RoundBinWidth((end - start + MaxThroughputBins - 1) / MaxThroughputBins);
        var count = (int)Math.Max(1, (end - start + width - 1) / width);
        var finished = new int[count];
        foreach (var task in profile.Tasks)
        {
            // A task that finished before the span began (it never started) counts in the first bin.
            var bin = (task.FinishedUs - start) / width;
            finished[(int)Math.Clamp(bin, 0, count - 1)]++;
        }

        return (width, finished.Select((n, i) => new ThroughputBin(start + (i * width), n)).ToArray());
    }

    /// <summary>The smallest width of 1, 2 or 5 times a power of ten microseconds that is at least <paramref name="atLeastUs"/>.</summary>
    internal static long RoundBinWidth(long atLeastUs)
    {
        for (long power = 1; ; power *= 10)
        {
            foreach (var step in (ReadOnlySpan<long>)[1, 2, 5])
            {
                if (step * power >= atLeastUs)
                {
                    return step * power;
                }
            }
        }
    }

    private static IReadOnlyList<ProfileSampleRow> Thin(IReadOnlyList<ProfileSampleRow> samples)
    {
        if (samples.Count <= MaxQueuePoints)
        {
            return samples;
        }

        // Keep the peaks: a thinned point carries the largest queue and busy count of the samples it stands for.
        var per = (samples.Count + MaxQueuePoints - 1) / MaxQueuePoints;
        var thinned = new List<ProfileSampleRow>((samples.Count / per) + 1);
        for (var i = 0; i < samples.Count; i += per)
        {
            var group = samples.Skip(i).Take(per).ToArray();
            thinned.Add(new ProfileSampleRow(group[0].TimeUs, group.Max(s => s.BusyWorkers), group.Max(s => s.Workers), group.Max(s => s.Queued), group[^1].Completed));
        }

        return thinned;
    }
}
