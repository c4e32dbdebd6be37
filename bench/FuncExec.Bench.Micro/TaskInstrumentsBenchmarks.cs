using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using FuncExec.Client.Internal;
using FuncExec.Core.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace FuncExec.Bench.Micro;

/// <summary>
/// Every instrument one task touches on its way through an embedded cluster, in the order it touches them: the
/// client's submitted count, the scheduler's started count and queue wait, its finished count and duration, and the
/// client's report with its duration. Against the same calls with nothing listening (the baseline), the difference is
/// what metrics add to one task, to be read beside W1's time per task (one over its throughput, times its cores).
/// </summary>
/// <remarks>"metrics" listens as a scheduler serving <c>/metrics</c> does: a meter provider on the <c>FuncExec</c>
/// meter, aggregating cumulatively (here with an in-memory reader that is never read: what a task pays is the
/// aggregation, which is the provider's whatever exporter reads it).</remarks>
[MemoryDiagnoser]
public class TaskInstrumentsBenchmarks
{
    private const int Tasks = 1024;
    private MeterProvider? _meters;
    private readonly List<Metric> _exported = [];
    private long _queuedAt;

    [GlobalSetup]
    public void Setup() => _queuedAt = Stopwatch.GetTimestamp();

    [GlobalSetup(Target = nameof(Metrics))]
    public void ListenToMetrics()
    {
        Setup();
        _meters = Sdk.CreateMeterProviderBuilder()
            .AddMeter(FuncExecTelemetry.Name)
            .AddInMemoryExporter(_exported)
            .Build();
    }

    [GlobalCleanup]
    public void StopListening() => _meters?.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Tasks, Description = "nothing listening")]
    public int Off() => Instruments();

    [Benchmark(OperationsPerInvoke = Tasks, Description = "metrics")]
    public int Metrics() => Instruments();

    private int Instruments()
    {
        for (var i = 0; i < Tasks; i++)
        {
            var submittedAt = ClientMetrics.Submitted(1);
            FuncExecMetrics.TasksAccepted(1);
            FuncExecMetrics.TaskStarted();
            if (FuncExecMetrics.TaskQueueWait.Enabled)
            {
                FuncExecMetrics.TaskQueueWait.Record(FuncExecMetrics.SecondsSince(_queuedAt));
            }

            FuncExecMetrics.TaskFinished(TaskState.Succeeded);
            if (FuncExecMetrics.TaskDuration.Enabled)
            {
                FuncExecMetrics.TaskDuration.Record(0.00002, FuncExecMetrics.Outcome(TaskState.Succeeded));
            }

            ClientMetrics.Reported(TaskState.Succeeded, submittedAt);
        }

        return Tasks;
    }
}
