using System.CommandLine;
using System.Net;
using FuncExec.Cli.Telemetry;

namespace FuncExec.Cli.Commands;

/// <summary>The options of the verbs that export telemetry: OTLP for metrics and traces, and for a node its own
/// Prometheus endpoint.</summary>
internal sealed class TelemetryOptions
{
    private readonly bool _servesMetrics;

    /// <param name="servesMetrics">Whether the verb offers <c>--metrics-port</c> (a node; the scheduler serves
    /// <c>/metrics</c> on its dashboard port).</param>
    public TelemetryOptions(bool servesMetrics = false)
    {
        _servesMetrics = servesMetrics;
    }

    public Option<Uri?> OtlpEndpoint { get; } = new("--otlp-endpoint")
    {
        Description = "Export metrics and traces over OTLP to this collector, e.g. http://localhost:4317 (gRPC; set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf for HTTP). "
            + "Without it, the standard OTEL_EXPORTER_OTLP_ENDPOINT (or _METRICS_ / _TRACES_ENDPOINT) turns export on",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                return uri;
            }

            result.AddError($"--otlp-endpoint '{text}' is not an http:// or https:// URL, such as http://localhost:4317");
            return null;
        },
    };

    public Option<int?> MetricsPort { get; } = new("--metrics-port")
    {
        Description = "Serve this node's metrics in the Prometheus text format at http://127.0.0.1:PORT/metrics (see --metrics-ip); none by default",
    };

    public Option<string> MetricsIp { get; } = new("--metrics-ip")
    {
        Description = "Address of --metrics-port: 127.0.0.1 by default; another address of this machine serves that interface, unauthenticated (not 0.0.0.0: one address)",
        DefaultValueFactory = _ => "127.0.0.1",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(OtlpEndpoint);
        if (!_servesMetrics)
        {
            return;
        }

        command.Options.Add(MetricsPort);
        command.Options.Add(MetricsIp);
        command.Validators.Add(result =>
        {
            if (result.GetValue(MetricsPort) is { } port && port is < 1 or > 65535)
            {
                result.AddError($"--metrics-port {port} is not a TCP port (1 to 65535)");
            }

            if (result.GetValue(MetricsIp) is { Length: > 0 } ip)
            {
                if (!IPAddress.TryParse(ip, out var address))
                {
                    result.AddError($"--metrics-ip '{ip}' is not an IP address");
                }
                else if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
                {
                    // The Prometheus listener binds one address; every interface is beyond it.
                    result.AddError($"--metrics-ip {ip} (every interface) cannot be served: give one address of this machine, such as the one your monitoring network reaches");
                }
            }
        });
    }

    /// <summary>What to export, as the command line says.</summary>
    public CliTelemetrySettings Read(ParseResult parse) => new(
        parse.GetValue(OtlpEndpoint),
        _servesMetrics ? parse.GetValue(MetricsPort) : null,
        _servesMetrics && parse.GetValue(MetricsIp) is { Length: > 0 } ip ? ip : "127.0.0.1");
}
