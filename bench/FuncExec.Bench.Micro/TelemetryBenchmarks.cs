using BenchmarkDotNet.Attributes;
using FuncExec.Client.Internal;
using FuncExec.Core.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace FuncExec.Bench.Micro;

/// <summary>
/// What collecting FuncExec's metrics and traces adds to the scheduler's cost per task (<see cref="SchedulerRound"/>:
/// submit, place, result), against the same round with nothing listening (the baseline). The client's submit span is
/// included (<c>SubmitTracing.Trace</c> on each task before the round), so a traced task pays every span its client and
/// scheduler make. Each benchmark runs in a process of its own, so a mode's listeners never reach another's.
/// </summary>
/// <remarks>
/// Metrics: a meter provider on the <c>FuncExec</c> meter, as a scheduler serving <c>/metrics</c> has, with an
/// in-memory reader (so every instrument is enabled and aggregated, and nothing is sent). Traces: a tracer provider on
/// the <c>FuncExec</c> source with the client's default sampler, parent-based on a 1% ratio, and no exporter.
/// </remarks>
[MemoryDiagnoser]
public class TelemetryBenchmarks
{
    private readonly SchedulerRound _round = new(SchedulerRound.Tasks);
    private readonly List<Metric> _exported = [];
    private MeterProvider? _meters;
    private TracerProvider? _tracers;

    [GlobalSetup(Target = nameof(Metrics))]
    public void ListenToMetrics() =>
        _meters = Sdk.CreateMeterProviderBuilder().AddMeter(FuncExecTelemetry.Name).AddInMemoryExporter(_exported).Build();

    [GlobalSetup(Target = nameof(Traces))]
    public void ListenToTraces() => _tracers = NewTracers();

    [GlobalSetup(Target = nameof(SubmitSpansOnly))]
    public void ListenToTracesForSubmit() => _tracers = NewTracers();

    /// <summary>The client's part alone: the sampler's decision on each task's submit span (a new trace each).</summary>
    [Benchmark(OperationsPerInvoke = SchedulerRound.Tasks, Description = "client submit spans alone, 1% sampled")]
    public int SubmitSpansOnly()
    {
        foreach (var task in _round.Submissions)
        {
            SubmitTracing.Trace(task);
        }

        return 0;
    }

    [GlobalSetup(Target = nameof(MetricsAndTraces))]
    public void ListenToBoth()
    {
        ListenToMetrics();
        _tracers = NewTracers();
    }

    [GlobalCleanup]
    public void StopListening()
    {
        _tracers?.Dispose();
        _meters?.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = SchedulerRound.Tasks, Description = "nothing listening")]
    public int Off() => Round();

    [Benchmark(OperationsPerInvoke = SchedulerRound.Tasks, Description = "metrics")]
    public int Metrics() => Round();

    [Benchmark(OperationsPerInvoke = SchedulerRound.Tasks, Description = "traces, 1% sampled")]
    public int Traces() => Round();

    [Benchmark(OperationsPerInvoke = SchedulerRound.Tasks, Description = "metrics + traces, 1% sampled")]
    public int MetricsAndTraces() => Round();

    private static TracerProvider NewTracers() =>
        Sdk.CreateTracerProviderBuilder()
            .AddSource(FuncExecTelemetry.Name)
            .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(0.01)))
            .Build();

    private int Round()
    {
        foreach (var task in _round.Submissions)
        {
            SubmitTracing.Trace(task);
        }

        return _round.Run();
    }
}
