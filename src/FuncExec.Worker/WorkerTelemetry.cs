using System.Globalization;
using System.Runtime.CompilerServices;
using FuncExec.Core.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace FuncExec.Worker;

/// <summary>A worker's own export: when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set in its environment, which
/// it inherits from its node, it sends its spans and its metrics by OTLP (<c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c> or
/// <c>OTEL_EXPORTER_OTLP_METRICS_ENDPOINT</c> alone turns on that signal only). A worker has no port to scrape: OTLP is
/// the only way its own instruments (<see cref="WorkerMetrics"/>) leave it.</summary>
/// <remarks>
/// <para>Spans: FuncExec's <c>funcexec.execute</c> and those of every other source the task's code starts. The sampler
/// follows the parent: whether a task is traced was decided where its trace began (the client's sampler, or the
/// scheduler's), and a task that came without a trace context starts its own. Spans are batched; a worker killed with
/// its task (a kill, a timeout, a crash) loses the spans not yet sent, the task's own among them.</para>
/// <para>Metrics: the <c>FuncExec</c> meter and the runtime's own (<c>System.Runtime</c>: GC, JIT, thread pool, CPU
/// time), read every <c>OTEL_METRIC_EXPORT_INTERVAL</c> ms (60 s unless set) and once more as the worker exits; a killed
/// worker loses what changed since its last export, and its node counts the death.</para>
/// <para>Both name the service <c>funcexec-worker</c> (unless <c>OTEL_SERVICE_NAME</c> says otherwise), the process as
/// its instance and the node in <c>funcexec.node</c>. Without the variables nothing of OpenTelemetry is loaded, so a
/// worker starts as fast as ever.</para>
/// </remarks>
internal static class WorkerTelemetry
{
    /// <summary>Starts the export when configured.</summary>
    /// <param name="nodeName">The worker's node, as a resource attribute.</param>
    /// <returns>What to dispose before the worker exits (it sends what is left), or null when not configured.</returns>
    public static IDisposable? StartIfConfigured(string nodeName)
    {
        var any = IsSet("OTEL_EXPORTER_OTLP_ENDPOINT");
        var traces = any || IsSet(OtlpSignalEndpoint.Traces);
        var metrics = any || IsSet(OtlpSignalEndpoint.Metrics);
        if (!traces && !metrics)
        {
            return null;
        }

        try
        {
            return Build(nodeName, traces, metrics);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            // A malformed OTEL_* setting costs the worker its telemetry, not its tasks. Console.Error is the node's log here.
            Console.Error.WriteLine($"worker: telemetry is not exported: {ex.Message}");
            return null;
        }
    }

    private static bool IsSet(string variable) => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable));

    // Apart from the check above, so the JIT loads OpenTelemetry's assemblies only when the export is configured; typed
    // IDisposable so that not even the caller's signature names one of its types.
    [MethodImpl(MethodImplOptions.NoInlining)]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1859", Justification = "OpenTelemetry stays unloaded unless configured")]
    private static IDisposable Build(string nodeName, bool traces, bool metrics)
    {
        void Describe(ResourceBuilder resource)
        {
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME")))
            {
                resource.AddService("funcexec-worker", serviceInstanceId: Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            }

            if (nodeName.Length > 0)
            {
                resource.AddAttributes([new(FuncExecMetrics.NodeKey, nodeName)]);
            }
        }

        // A signal's own endpoint wins over OTEL_EXPORTER_OTLP_ENDPOINT, used as it is; read before anything is built, so
        // a malformed one fails the whole export here.
        var tracesEndpoint = traces ? OtlpSignalEndpoint.Read(OtlpSignalEndpoint.Traces) : null;
        var metricsEndpoint = metrics ? OtlpSignalEndpoint.Read(OtlpSignalEndpoint.Metrics) : null;
        var tracerProvider = traces
            ? Sdk.CreateTracerProviderBuilder()
                .ConfigureResource(Describe)
                .AddSource(FuncExecTelemetry.Name)
                // Whatever the task's code traces runs in this process for the task's sake: every source is the task's.
                .AddSource("*")
                .SetSampler(new ParentBasedSampler(new AlwaysOnSampler()))
                .AddOtlpExporter(exporter => Point(exporter, tracesEndpoint))
                .Build()
            : null;
        MeterProvider? meterProvider;
        try
        {
            // The periodic reader takes its interval from OTEL_METRIC_EXPORT_INTERVAL, and the exporter the rest.
            meterProvider = metrics
                ? Sdk.CreateMeterProviderBuilder()
                    .ConfigureResource(Describe)
                    .AddMeter(FuncExecTelemetry.Name, "System.Runtime")
                    .AddOtlpExporter(exporter => Point(exporter, metricsEndpoint))
                    .Build()
                : null;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            tracerProvider?.Dispose();
            throw;
        }

        return new Providers(tracerProvider, meterProvider);
    }

    /// <summary>Points <paramref name="exporter"/> at its signal's own endpoint, when one is set. Only then: an endpoint
    /// set in code is used as it is, so setting even the exporter's own default would stop it adding the signal's path
    /// to <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    private static void Point(OtlpExporterOptions exporter, Uri? signalEndpoint)
    {
        if (signalEndpoint is not null)
        {
            exporter.Endpoint = signalEndpoint;
        }
    }

    /// <summary>Flushes and stops both, once: the worker disposes it on its way out, and on ProcessExit too.</summary>
    private sealed class Providers(TracerProvider? tracers, MeterProvider? meters) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            // Spans first: they were batched longest ago. The meter provider's dispose collects and exports once more.
            tracers?.Dispose();
            meters?.Dispose();
        }
    }
}
