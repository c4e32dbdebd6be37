namespace FuncExec.Core.Telemetry;

/// <summary>The standard per-signal OTLP endpoint variables, <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c> and
/// <c>OTEL_EXPORTER_OTLP_METRICS_ENDPOINT</c>, which the OTLP exporter's options here do not read by themselves: each
/// exporter FuncExec builds is pointed at its signal's endpoint when one is set, which wins over
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, and is used as it is (the full URL, <c>.../v1/traces</c>), as the OpenTelemetry
/// specification says.</summary>
internal static class OtlpSignalEndpoint
{
    /// <summary>The traces' variable.</summary>
    public const string Traces = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";

    /// <summary>The metrics' variable.</summary>
    public const string Metrics = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT";

    /// <summary>The endpoint <paramref name="variable"/> names, or null when it is not set.</summary>
    /// <exception cref="FormatException">It is set to something other than an absolute http or https URL; the message
    /// names the variable and its value.</exception>
    public static Uri? Read(string variable)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new FormatException($"{variable} '{value}' is not an http or https URL");
    }
}
