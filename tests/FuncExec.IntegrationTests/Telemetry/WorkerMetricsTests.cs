using System.Globalization;
using FuncExec.Client;
using FuncExec.IntegrationTests.Telemetry.Otlp;
using FuncExec.TestJobs;

namespace FuncExec.IntegrationTests.Telemetry;

/// <summary>A worker process's own instruments, as it exports them by OTLP to a real receiver: it has no port, so this is
/// the only way they leave it.</summary>
public sealed class WorkerMetricsTests
{
    [Fact]
    public async Task WorkerExport_TasksAndAMapWithOneFailure_CountedByOutcomeWithTheirDurationsNodeAndCore()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var environment = new Dictionary<string, string>(receiver.WorkerEnvironment)
        {
            // Cumulative totals every 100 ms: the test waits for the export that holds them all.
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "100",
        };
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 1, WarmSpare = false, WorkerEnvironment = environment });
        var node = Assert.Single(await cluster.NodesAsync());
        var core = Assert.Single(node.Workers).Core;
        await using (var computation = await cluster.ScheduleAsync())
        {
            Assert.Equal(1, await computation.RunAsync(() => ApiJobs.Square(1)));
            Assert.Equal(4, await computation.RunAsync(() => ApiJobs.Square(2)));
            Assert.Equal(9, await computation.RunAsync(() => ApiJobs.Square(3)));

            await Assert.ThrowsAsync<TaskFailedException>(() => computation.RunAsync(() => TracingJobs.Fail("on purpose")));
            // Five items in one chunk: one task of the worker's, five calls.
            Assert.Equal([0, 1, 4, 9, 16], await computation.MapAsync(Enumerable.Range(0, 5), x => ApiJobs.Square(x), new TaskOptions { ChunkSize = 5 }));
        }

        var export = await receiver.WaitForMetricsAsync(e =>
            Points(e, "funcexec.worker.tasks").Sum(p => p.Value) >= 5 && Points(e, "funcexec.worker.map.items").Sum(p => p.Value) >= 5);

        var resource = Assert.Single(export.ResourceMetrics).Resource.Attributes.ToDictionary(a => a.Key, a => a.Value.StringValue);
        Assert.Equal("funcexec-worker", resource["service.name"]);
        Assert.Equal(node.Name, resource["funcexec.node"]);

        var tasks = Points(export, "funcexec.worker.tasks");
        Assert.Equal(4, tasks.Single(p => p.Attributes["funcexec.task.outcome"] == "succeeded").Value);
        Assert.Equal(1, tasks.Single(p => p.Attributes["funcexec.task.outcome"] == "failed").Value);
        Assert.Equal(0, tasks.Single(p => p.Attributes["funcexec.task.outcome"] == "cancelled").Value);
        Assert.All(tasks, p => Assert.Equal((node.Name, core.ToString(CultureInfo.InvariantCulture)), (p.Attributes["funcexec.node"], p.Attributes["funcexec.worker.core"])));
        Assert.Equal("{task}", MetricNamed(export, "funcexec.worker.tasks").Unit);

        var durations = MetricNamed(export, "funcexec.worker.task.duration");
        Assert.Equal("s", durations.Unit);
        Assert.Equal(4UL, durations.Histogram.DataPoints.Single(p => Attributes(p.Attributes)["funcexec.task.outcome"] == "succeeded").Count);
        Assert.Equal(1UL, durations.Histogram.DataPoints.Single(p => Attributes(p.Attributes)["funcexec.task.outcome"] == "failed").Count);

        Assert.Equal(5, Assert.Single(Points(export, "funcexec.worker.map.items")).Value);
        // The test jobs' assembly, loaded into the computation's context by its first task.
        Assert.True(Assert.Single(Points(export, "funcexec.worker.assemblies.loaded")).Value >= 1);
        Assert.True(Assert.Single(Points(export, "funcexec.worker.gc.heap.size")).Value > 0);
        Assert.True(Assert.Single(Points(export, "funcexec.worker.memory.working_set")).Value > 0);
        // The runtime's own instruments travel with them.
        Assert.Contains(export.ResourceMetrics[0].ScopeMetrics, s => s.Scope.Name == "System.Runtime");
    }

    [Fact]
    public async Task Worker_NoOtlpVariable_LoadsNothingOfOpenTelemetryButDoesWithIt()
    {
        // Counted inside the worker, by a task: the assemblies of its process whose name starts with OpenTelemetry.
        const string CountOpenTelemetry = """
            var n = 0;
            foreach (var a in System.AppDomain.CurrentDomain.GetAssemblies())
            {
                if ((a.GetName().Name ?? "").StartsWith("OpenTelemetry", System.StringComparison.Ordinal)) n++;
            }
            return n;
            """;
        await using var receiver = await OtlpReceiver.StartAsync();
        int without, with;
        await using (var plain = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 1, WarmSpare = false }))
        {
            without = ResultOf(Assert.Single(await plain.RunAsync([Tasks.Code("count", CountOpenTelemetry)])));
        }

        await using (var exporting = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 1, WarmSpare = false, WorkerEnvironment = receiver.WorkerEnvironment }))
        {
            with = ResultOf(Assert.Single(await exporting.RunAsync([Tasks.Code("count", CountOpenTelemetry)])));
        }

        Assert.Equal(0, without);
        Assert.True(with > 0, "a worker told to export loaded no OpenTelemetry assembly: the count does not see them");
    }

    private static int ResultOf(TaskReport report)
    {
        Assert.True(report.State == TaskState.Succeeded, $"{report.State}: {report.Error?.Type} {report.Error?.Message}");
        return System.Text.Json.JsonSerializer.Deserialize<int>(report.ResultJson!);
    }

    private static Metric MetricNamed(ExportMetricsServiceRequest export, string name) =>
        export.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics).Single(m => m.Name == name);

    /// <summary>The points of a sum or gauge, with their values as doubles; none when the export does not hold it.</summary>
    private static List<(Dictionary<string, string> Attributes, double Value)> Points(ExportMetricsServiceRequest export, string name)
    {
        var metric = export.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics).SingleOrDefault(m => m.Name == name);
        IEnumerable<NumberDataPoint> points = metric?.DataCase switch
        {
            Metric.DataOneofCase.Sum => metric.Sum.DataPoints,
            Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints,
            _ => [],
        };
        return [.. points.Select(p => (Attributes(p.Attributes), p.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? p.AsInt : p.AsDouble))];
    }

    private static Dictionary<string, string> Attributes(IEnumerable<KeyValue> attributes) =>
        attributes.ToDictionary(
            a => a.Key,
            a => a.Value.ValueCase == AnyValue.ValueOneofCase.IntValue ? a.Value.IntValue.ToString(CultureInfo.InvariantCulture) : a.Value.StringValue);
}
