using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using FuncExec.Core.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace FuncExec.Cli.Telemetry;

/// <summary>
/// The OpenTelemetry export of one <c>funcexec</c> process (<c>scheduler</c>, <c>node</c>, <c>run</c>): the
/// <c>FuncExec</c> meter and activity source over OTLP when <c>--otlp-endpoint</c> or the standard
/// <c>OTEL_EXPORTER_OTLP_*</c> variables ask for it, and a node's own Prometheus endpoint (<c>--metrics-port</c>).
/// Dispose it at exit: what is buffered is flushed then.
/// </summary>
/// <remarks>
/// <para>Traces are sampled as <c>OTEL_TRACES_SAMPLER</c> says; unless it says otherwise, at the root: a span whose
/// parent was sampled is kept, a new trace with the probability <c>OTEL_TRACES_SAMPLER_ARG</c> (0.01 unless set), so a
/// busy cluster exports a bounded share of its tasks.</para>
/// <para>The rest of the OTLP settings (protocol, headers, timeouts, per-signal endpoints) are the exporter's own
/// variables, read by it. <c>--otlp-endpoint</c> is the collector's base address: with
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c> the signal's path (<c>/v1/metrics</c>, <c>/v1/traces</c>) is added.</para>
/// <para>The scheduler's <c>/metrics</c> is served by its dashboard, not here.</para>
/// </remarks>
internal sealed class CliTelemetry : IDisposable
{
    /// <summary>The share of new traces sampled when <c>OTEL_TRACES_SAMPLER_ARG</c> does not say.</summary>
    public const double DefaultSampleRatio = 0.01;

    private static readonly string[] EndpointVariables =
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"];

    private readonly MeterProvider? _meters;
    private readonly TracerProvider? _tracers;

    private CliTelemetry(MeterProvider? meters, TracerProvider? tracers, Uri? metricsUrl)
    {
        _meters = meters;
        _tracers = tracers;
        MetricsUrl = metricsUrl;
    }

    /// <summary>Where the node's Prometheus endpoint is, when it serves one.</summary>
    public Uri? MetricsUrl { get; }

    /// <summary>Whether OTLP export is on: the endpoint was given, or one of the standard variables names one.</summary>
    public static bool OtlpRequested(CliTelemetrySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.OtlpEndpoint is not null || EndpointVariables.Any(v => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(v)));
    }

    /// <summary>Starts what <paramref name="settings"/> ask for; nothing at all when they ask for nothing.</summary>
    /// <param name="settings">The command line's choices.</param>
    /// <param name="serviceName">The <c>service.name</c> to report unless <c>OTEL_SERVICE_NAME</c> gives one.</param>
    /// <exception cref="IOException">The metrics port cannot be listened on.</exception>
    public static CliTelemetry Start(CliTelemetrySettings settings, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var variable in (string[])[OtlpSignalEndpoint.Traces, OtlpSignalEndpoint.Metrics])
        {
            try
            {
                _ = OtlpSignalEndpoint.Read(variable);
            }
            catch (FormatException ex)
            {
                // Ignored with a word, here and in the workers (which inherit this process's environment), rather than
                // failing a run over its telemetry.
                Console.Error.WriteLine($"telemetry: {ex.Message}; it is ignored");
                Environment.SetEnvironmentVariable(variable, null);
            }
        }

        var otlp = OtlpRequested(settings);
        return !otlp && settings.MetricsPort is null ? new CliTelemetry(null, null, null) : StartExporters(settings, serviceName, otlp);
    }

    // Apart from Start, and never inlined into it, so that a run which exports nothing (most) does not load
    // OpenTelemetry's assemblies: preparing a method loads what its body names.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static CliTelemetry StartExporters(CliTelemetrySettings settings, string serviceName, bool otlp)
    {
        var service = Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") is { Length: > 0 } named ? named : serviceName;
        Uri? metricsUrl = null;
        var meters = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(resource => resource.AddService(service))
            .AddMeter(FuncExecTelemetry.Name);
        if (otlp)
        {
            meters.AddOtlpExporter(exporter => Point(exporter, settings.OtlpEndpoint, "v1/metrics", OtlpSignalEndpoint.Metrics));
        }

        if (settings.MetricsPort is { } port)
        {
            var address = IPAddress.Parse(settings.MetricsIp);
            // One address (the options refuse "every interface": the exporter makes a URI of the host, which HttpListener's
            // "+" is not, and HttpListener cannot bind 0.0.0.0 by its number); an IPv6 literal goes in brackets.
            var host = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
            meters.AddPrometheusHttpListener(listener =>
            {
                listener.Host = host;
                listener.Port = port;
            });
            metricsUrl = new Uri($"http://{host}:{port.ToString(CultureInfo.InvariantCulture)}/metrics");
        }

        MeterProvider meterProvider;
        try
        {
            meterProvider = meters.Build();
        }
        catch (Exception ex) when (ex is HttpListenerException || ex is InvalidOperationException { InnerException: HttpListenerException })
        {
            throw new IOException($"cannot serve metrics on {settings.MetricsIp}:{settings.MetricsPort}: {ex.Message}; choose another --metrics-port", ex);
        }

        TracerProvider? tracerProvider = null;
        if (otlp)
        {
            tracerProvider = Sdk.CreateTracerProviderBuilder()
                .ConfigureResource(resource => resource.AddService(service))
                .AddSource(FuncExecTelemetry.Name)
                .SetSampler(TraceSampler(
                    Environment.GetEnvironmentVariable("OTEL_TRACES_SAMPLER"),
                    Environment.GetEnvironmentVariable("OTEL_TRACES_SAMPLER_ARG"),
                    Console.Error))
                .AddOtlpExporter(exporter => Point(exporter, settings.OtlpEndpoint, "v1/traces", OtlpSignalEndpoint.Traces))
                .Build();
            if (settings.OtlpEndpoint is not null)
            {
                // The workers this process starts (a node's, or the embedded cluster's of `funcexec run`) export by
                // themselves, reading only the standard variables of the environment they inherit: give them the
                // collector the option names, as the base address the option is.
                Environment.SetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT", settings.OtlpEndpoint.ToString());
            }
        }

        return new CliTelemetry(meterProvider, tracerProvider, metricsUrl);
    }

    /// <summary>As <see cref="Start"/>; when that fails, says why on standard error, after <paramref name="verb"/>, and gives null.</summary>
    public static CliTelemetry? TryStart(CliTelemetrySettings settings, string serviceName, string verb)
    {
        try
        {
            var telemetry = Start(settings, serviceName);
            if (telemetry.MetricsUrl is { } url)
            {
                Console.Error.WriteLine($"{verb}: metrics on {url}");
            }

            return telemetry;
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"{verb}: {ex.Message}");
            return null;
        }
    }

    /// <summary>Flushes and stops the exporters.</summary>
    public void Dispose()
    {
        _tracers?.Dispose();
        _meters?.Dispose();
    }

    /// <summary>
    /// The sampler <c>OTEL_TRACES_SAMPLER</c> names (<paramref name="kind"/>), with the ratio of
    /// <c>OTEL_TRACES_SAMPLER_ARG</c> (<paramref name="argument"/>) for the two that take one; unset, it is
    /// <c>parentbased_traceidratio</c> with a ratio of 0.01.
    /// </summary>
    /// <remarks>A kind FuncExec does not know (<c>jaeger_remote</c>, <c>xray</c>, a typo), or a ratio that is not a number
    /// from 0 to 1, is reported on <paramref name="warnings"/> and ignored, as OpenTelemetry's SDK specification wants:
    /// the default applies, as if the variable were not set.</remarks>
    internal static Sampler TraceSampler(string? kind, string? argument, TextWriter warnings)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        switch (kind?.Trim().ToLowerInvariant())
        {
            case null or "" or "parentbased_traceidratio":
                return new ParentBasedSampler(new TraceIdRatioBasedSampler(SampleRatio(argument, warnings)));
            case "traceidratio":
                return new TraceIdRatioBasedSampler(SampleRatio(argument, warnings));
            case "always_on":
                return new AlwaysOnSampler();
            case "always_off":
                return new AlwaysOffSampler();
            case "parentbased_always_on":
                return new ParentBasedSampler(new AlwaysOnSampler());
            case "parentbased_always_off":
                return new ParentBasedSampler(new AlwaysOffSampler());
            default:
                warnings.WriteLine(
                    $"funcexec: OTEL_TRACES_SAMPLER '{kind}' is not one of always_on, always_off, traceidratio, parentbased_always_on, "
                    + "parentbased_always_off, parentbased_traceidratio and is ignored: new traces are sampled with parentbased_traceidratio");
                return new ParentBasedSampler(new TraceIdRatioBasedSampler(SampleRatio(argument, warnings)));
        }
    }

    /// <summary>The share of new traces to sample: <paramref name="text"/> (<c>OTEL_TRACES_SAMPLER_ARG</c>) when it is a
    /// number from 0 to 1.</summary>
    /// <remarks>Any other value is reported on <paramref name="warnings"/> and ignored, as OpenTelemetry's SDK
    /// specification wants: the default ratio applies, as if the variable were not set.</remarks>
    internal static double SampleRatio(string? text, TextWriter warnings)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return DefaultSampleRatio;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var ratio) && ratio is >= 0 and <= 1)
        {
            return ratio;
        }

        warnings.WriteLine(
            $"funcexec: OTEL_TRACES_SAMPLER_ARG '{text}' is not a number from 0 to 1 and is ignored: new traces are sampled with the default ratio {DefaultSampleRatio.ToString(CultureInfo.InvariantCulture)}");
        return DefaultSampleRatio;
    }

    private static void Point(OtlpExporterOptions exporter, Uri? endpoint, string signalPath, string signalVariable)
    {
        if (endpoint is null)
        {
            // The signal's own variable, used as it is; else the exporter's own reading of OTEL_EXPORTER_OTLP_ENDPOINT
            // stands (set in code, even its own value would no longer have the signal's path added).
            if (OtlpSignalEndpoint.Read(signalVariable) is { } signalEndpoint)
            {
                exporter.Endpoint = signalEndpoint;
            }

            return;
        }

        // Given in code, an HTTP endpoint is used as it is: add the signal's path to a bare collector address.
        exporter.Endpoint = exporter.Protocol == OtlpExportProtocol.HttpProtobuf && endpoint.AbsolutePath == "/"
            ? new Uri(endpoint, signalPath)
            : endpoint;
    }
}
