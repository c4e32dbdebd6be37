using System.Runtime.CompilerServices;
using FuncExec.Core.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace FuncExec.Worker;

/// <summary>A worker's own trace export: when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or
/// <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>) is set in its environment, which it inherits from its node, it sends its
/// spans by OTLP: FuncExec's <c>funcexec.execute</c> and those of every other source the task's code starts.</summary>
/// <remarks>
/// The sampler follows the parent: whether a task is traced was decided where its trace began (the client's sampler,
/// or the scheduler's), and a task that came without a trace context starts its own. Without the variable nothing of
/// OpenTelemetry is loaded, so a worker starts as fast as ever. Spans are batched; a worker killed with its task (a kill,
/// a timeout, a crash) loses the spans not yet sent, the task's own among them.
/// </remarks>
internal static class WorkerTracing
{
    /// <summary>Starts the export when configured.</summary>
    /// <returns>What to dispose before the worker exits (it sends what is left), or null when not configured.</returns>
    public static IDisposable? StartIfConfigured()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"))
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")))
        {
            return null;
        }

        try
        {
            return Build();
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            // A malformed OTEL_* setting costs the worker its traces, not its tasks. Console.Error is the node's log here.
            Console.Error.WriteLine($"worker: traces are not exported: {ex.Message}");
            return null;
        }
    }

    // Apart from the check above, so the JIT loads OpenTelemetry's assemblies only when the export is configured; typed
    // IDisposable so that not even the caller's signature names one of its types.
    [MethodImpl(MethodImplOptions.NoInlining)]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1859", Justification = "OpenTelemetry stays unloaded unless configured")]
    private static IDisposable Build() =>
        Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(resource =>
            {
                if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME")))
                {
                    resource.AddService("funcexec-worker", serviceInstanceId: Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            })
            .AddSource(FuncExecTelemetry.Name)
            // Whatever the task's code traces runs in this process for the task's sake: every source is the task's.
            .AddSource("*")
            .SetSampler(new ParentBasedSampler(new AlwaysOnSampler()))
            .AddOtlpExporter()
            .Build();
}
