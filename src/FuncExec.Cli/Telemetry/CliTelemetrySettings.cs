namespace FuncExec.Cli.Telemetry;

/// <summary>What a <c>funcexec</c> process exports, from its command line.</summary>
/// <param name="OtlpEndpoint">The OTLP collector of <c>--otlp-endpoint</c>; null to follow the <c>OTEL_EXPORTER_OTLP_*</c> variables.</param>
/// <param name="MetricsPort">The port of the node's own Prometheus endpoint (<c>--metrics-port</c>); null for none.</param>
/// <param name="MetricsIp">The address that endpoint listens on (<c>--metrics-ip</c>).</param>
internal sealed record CliTelemetrySettings(Uri? OtlpEndpoint, int? MetricsPort = null, string MetricsIp = "127.0.0.1");
