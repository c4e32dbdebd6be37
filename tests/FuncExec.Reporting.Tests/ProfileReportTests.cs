using FuncExec.Core.Tasks;
using FuncExec.Reporting.Internal;
using FuncExec.Reporting.Tests.Support;

namespace FuncExec.Reporting.Tests;

public sealed class ProfileReportTests
{
    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(2, 2, 3, 40)]
    [InlineData(3, 3, 4, 200)]
    public void Load_RecordedRows_ThroughputAndUtilizationMatchTheRows(int seed, int nodes, int workersPerNode, int tasksPerWorker)
    {
        using var dir = new TempDirectory();
        var synthetic = SyntheticProfile.Random(seed, nodes, workersPerNode, tasksPerWorker);

        var report = ProfileReport.Load(synthetic.Write(dir.File("run.csv")));

        // The README's definitions, computed here from the rows themselves.
        var firstStart = synthetic.Tasks.Where(t => t.Started is not null).Min(t => t.Started!.Value);
        var lastFinish = synthetic.Tasks.Max(t => t.Finished);
        var spanSeconds = (lastFinish - firstStart) / 1e6;
        Assert.Equal(ProfileSpanSource.Tasks, report.SpanSource);
        Assert.Equal(synthetic.Tasks.Count, report.Tasks);
        Assert.Equal(lastFinish - firstStart, report.Span.Ticks / 10);
        Assert.Equal(synthetic.Tasks.Count / spanSeconds, report.Throughput, 9);
        Assert.Equal(synthetic.Tasks.Count(t => t.Status == "failed"), report.TasksByStatus[TaskState.Failed]);

        Assert.Equal(synthetic.Workers.Order(NaturalComparer.Instance), report.Workers.Select(w => w.Worker));
        foreach (var worker in report.Workers)
        {
            var own = synthetic.Tasks.Where(t => t.Worker == worker.Worker).ToArray();
            var busySeconds = own.Sum(t => (t.Finished - t.Started!.Value) / 1e6);
            Assert.Equal(own.Length, worker.Tasks);
            Assert.Equal(busySeconds / spanSeconds, worker.Utilization, 9);
            Assert.Equal(busySeconds, worker.Busy.TotalSeconds, 6);
        }

        Assert.Equal(report.Workers.Average(w => w.Utilization), report.MeanUtilization, 12);
    }

    [Fact]
    public void Load_TwoCoreTask_KeepsBothWorkersOfItsCoresBusy()
    {
        using var dir = new TempDirectory();
        var synthetic = new SyntheticProfile();
        const long t0 = SyntheticProfile.T0;
        synthetic.AddWorker(t0, "a/worker-0", 0);
        synthetic.AddWorker(t0, "a/worker-1", 1);
        synthetic.AddWorker(t0, "b/worker-0", 1);
        synthetic.AddTask(1, "wide", "a/worker-0", "succeeded", t0, t0, t0 + 1_000_000, cores: "0;1");
        synthetic.AddTask(2, "narrow", "a/worker-1", "succeeded", t0, t0 + 1_000_000, t0 + 2_000_000, cores: "1");
        synthetic.AddWorkerDied(t0 + 2_000_000, "b/worker-0", "exited with code 139");

        var report = ProfileReport.Load(synthetic.Write(dir.File("run.csv")));

        Assert.Equal(
            [
                new WorkerUtilization("a/worker-0", 0, 1, TimeSpan.FromSeconds(1), 0.5, 0),
                new WorkerUtilization("a/worker-1", 1, 1, TimeSpan.FromSeconds(2), 1.0, 0),
                new WorkerUtilization("b/worker-0", 1, 0, TimeSpan.Zero, 0, 1),
            ],
            report.Workers);
        Assert.Equal(1.0, report.Throughput);
        Assert.Equal([(0, 1L), (1, 1L), (1, 2L)], report.Gantt.Bars.Select(b => (b.Row, b.FirstId)));
    }

    [Fact]
    public void Load_OverlappingTasksOnOneWorker_CountTheirUnionOnce()
    {
        using var dir = new TempDirectory();
        var synthetic = new SyntheticProfile();
        const long t0 = SyntheticProfile.T0;
        synthetic.AddTask(1, "a", "n/worker-0", "succeeded", t0, t0, t0 + 3_000_000);
        synthetic.AddTask(2, "b", "n/worker-0", "succeeded", t0, t0 + 1_000_000, t0 + 2_000_000);
        synthetic.AddTask(3, "c", "n/worker-1", "succeeded", t0, t0 + 3_000_000, t0 + 4_000_000);

        var report = ProfileReport.Load(synthetic.Write(dir.File("run.csv")));

        Assert.Equal(0.75, report.Workers[0].Utilization, 12);
        Assert.Equal(0.25, report.Workers[1].Utilization, 12);
        Assert.Equal(0.75, report.Throughput, 12);
    }

    [Fact]
    public void Load_NoTaskStarted_SpanComesFromTheSamples()
    {
        using var dir = new TempDirectory();
        var synthetic = new SyntheticProfile();
        const long t0 = SyntheticProfile.T0;
        synthetic.AddSample(t0, 0, 2, 3, 0);
        synthetic.AddTask(1, "killed in the queue", string.Empty, "killed", t0, null, t0 + 500_000);
        synthetic.AddSample(t0 + 2_000_000, 0, 2, 0, 1);

        var report = ProfileReport.Load(synthetic.Write(dir.File("run.csv")));

        Assert.Equal(ProfileSpanSource.Samples, report.SpanSource);
        Assert.Equal(TimeSpan.FromSeconds(2), report.Span);
        Assert.Equal(0.5, report.Throughput);
        Assert.Empty(report.Workers);
        Assert.Equal("2.000 s from the first sample to the last (no task ran)", report.SpanDescription);
    }

    [Fact]
    public void Load_NothingRan_ThroughputIsZero()
    {
        using var dir = new TempDirectory();
        var synthetic = new SyntheticProfile();
        synthetic.AddWorker(SyntheticProfile.T0, "n/worker-0", 0);

        var report = ProfileReport.Load(synthetic.Write(dir.File("run.csv")));

        Assert.Equal(ProfileSpanSource.None, report.SpanSource);
        Assert.Equal(0, report.Throughput);
        Assert.Equal(0, Assert.Single(report.Workers).Utilization);
        Assert.Empty(report.ThroughputBins);
    }

    [Fact]
    public void ThroughputBins_RoundWidth_EveryTaskCountedOnce()
    {
        using var dir = new TempDirectory();
        var synthetic = SyntheticProfile.Random(seed: 4, nodes: 2, workersPerNode: 2, tasksPerWorker: 300);

        var report = ProfileReport.Load(synthetic.Write(dir.File("run.csv")));

        Assert.InRange(report.ThroughputBins.Count, 1, ProfileReport.MaxThroughputBins);
        Assert.Equal(report.ThroughputBinUs, ProfileReport.RoundBinWidth(report.ThroughputBinUs));
        Assert.Equal(synthetic.Tasks.Count, report.ThroughputBins.Sum(b => b.Finished));
        Assert.Equal(report.SpanStartUs, report.ThroughputBins[0].StartUs);
        Assert.True(report.ThroughputBins[^1].StartUs + report.ThroughputBinUs >= report.SpanEndUs);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(7, 10)]
    [InlineData(101, 200)]
    [InlineData(2_500_001, 5_000_000)]
    public void RoundBinWidth_AnyWidth_NextOneTwoOrFiveTimesAPowerOfTen(long atLeast, long expected) =>
        Assert.Equal(expected, ProfileReport.RoundBinWidth(atLeast));

    [Fact]
    public void Gantt_MoreBarsThanTheLimit_MergesNeighboursKeepingCountsAndFailures()
    {
        using var dir = new TempDirectory();
        var synthetic = SyntheticProfile.Random(seed: 5, nodes: 2, workersPerNode: 4, tasksPerWorker: 250);
        var path = synthetic.Write(dir.File("run.csv"));

        var report = new ProfileReport(ProfileReader.Read(path), maxGanttBars: 100);

        var bars = report.Gantt.Bars;
        var ran = synthetic.Tasks.Where(t => t.Started is not null).ToArray();
        Assert.Equal(ran.Length, report.Gantt.Tasks);
        Assert.True(report.Gantt.MergeGapUs > 0);
        Assert.InRange(bars.Count, report.Workers.Count, 100);
        Assert.Equal(ran.Length, bars.Sum(b => b.Count));
        Assert.Equal(ran.Count(t => t.Status != "succeeded"), bars.Sum(b => b.Failed));
        Assert.All(bars, b => Assert.Equal(b.Failed > 0, b.Status != TaskState.Succeeded));
        Assert.Contains(bars, b => b.Status == TaskState.Failed);
        Assert.All(bars.Where(b => b.Count > 1), b => Assert.Null(b.Name));
        // Utilization is measured on the tasks, not on the merged bars.
        Assert.Equal(ProfileReport.Load(path).Workers, report.Workers);
    }

    [Fact]
    public void Gantt_UnderTheLimit_OneBarPerTask()
    {
        using var dir = new TempDirectory();
        var synthetic = SyntheticProfile.Random(seed: 6, nodes: 1, workersPerNode: 2, tasksPerWorker: 10);

        var report = ProfileReport.Load(synthetic.Write(dir.File("run.csv")));

        Assert.Equal(0, report.Gantt.MergeGapUs);
        Assert.Equal(20, report.Gantt.Bars.Count);
        Assert.All(report.Gantt.Bars, b => Assert.Equal(1, b.Count));
        Assert.All(report.Gantt.Bars, b => Assert.StartsWith("task ", b.Name, StringComparison.Ordinal));
    }

    [Fact]
    public void Queue_ManySamples_ThinnedKeepingThePeak()
    {
        using var dir = new TempDirectory();
        var synthetic = new SyntheticProfile();
        for (var i = 0; i < 10_000; i++)
        {
            synthetic.AddSample(SyntheticProfile.T0 + (i * 100_000L), busy: 1, workers: 1, queued: i == 7_777 ? 999 : i % 10, completed: i);
        }

        var report = ProfileReport.Load(synthetic.Write(dir.File("run.csv")));

        Assert.Equal(10_000, report.Samples);
        Assert.InRange(report.Queue.Count, 1_000, ProfileReport.MaxQueuePoints);
        Assert.Equal(999, report.Queue.Max(s => s.Queued));
        Assert.Equal(SyntheticProfile.T0, report.Queue[0].TimeUs);
    }

    [Theory]
    [InlineData("node1/worker-2", "node1/worker-10")]
    [InlineData("node1/worker-9", "node2/worker-0")]
    [InlineData("a", "a/worker-0")]
    [InlineData("node02/worker-1", "node3/worker-0")]
    public void NaturalComparer_NumbersInNames_OrderedByValue(string first, string second)
    {
        Assert.True(NaturalComparer.Instance.Compare(first, second) < 0);
        Assert.True(NaturalComparer.Instance.Compare(second, first) > 0);
    }
}
