using System.Collections.Concurrent;
using System.Net;
using FuncExec.IntegrationTests.Telemetry.Otlp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FuncExec.IntegrationTests.Telemetry;

/// <summary>A span as an OTLP receiver got it, ids in lower-case hex; <paramref name="ServiceName"/> is its resource's
/// <c>service.name</c>, which says the process it came from.</summary>
internal sealed record ReceivedSpan(string TraceId, string SpanId, string ParentSpanId, string Name, IReadOnlyDictionary<string, string> Attributes, int StatusCode, string ServiceName = "");

/// <summary>A small OTLP/HTTP trace receiver on a free port of 127.0.0.1: it takes <c>POST /v1/traces</c> in
/// <c>application/x-protobuf</c>, as an exporter configured with <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c> sends.</summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    // A bound on waiting for spans, so a worker that never exports fails the test instead of hanging it.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly ConcurrentQueue<ExportMetricsServiceRequest> _metricExports = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    /// <summary>The base address to give as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public string Endpoint { get; private set; } = string.Empty;

    /// <summary>The environment a worker needs to export to this receiver; spans are sent within 100 ms.</summary>
    public IReadOnlyDictionary<string, string> WorkerEnvironment => new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
    };

    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    /// <summary>The metrics exports received (<c>POST /v1/metrics</c>), in arrival order.</summary>
    public IReadOnlyList<ExportMetricsServiceRequest> MetricExports => [.. _metricExports];

    /// <summary>Waits for a metrics export that satisfies <paramref name="done"/> and returns it; fails after a long bound.</summary>
    public async Task<ExportMetricsServiceRequest> WaitForMetricsAsync(Func<ExportMetricsServiceRequest, bool> done)
    {
        using var patience = new CancellationTokenSource(Patience);
        while (true)
        {
            var exports = MetricExports;
            if (exports.LastOrDefault(done) is { } export)
            {
                return export;
            }

            try
            {
                await _arrived.WaitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"the metrics awaited did not arrive; {exports.Count} exports received: {string.Join("; ", exports.Select(e => e.ToString()))}");
            }
        }
    }

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", receiver.ReceiveAsync);
        app.MapPost("/v1/metrics", receiver.ReceiveMetricsAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Endpoint = address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal);
        return receiver;
    }

    /// <summary>Waits until the spans received satisfy <paramref name="done"/>; fails after a long bound with what came.</summary>
    public async Task<IReadOnlyList<ReceivedSpan>> WaitForAsync(Func<IReadOnlyList<ReceivedSpan>, bool> done)
    {
        using var patience = new CancellationTokenSource(Patience);
        while (true)
        {
            var spans = Spans;
            if (done(spans))
            {
                return spans;
            }

            try
            {
                await _arrived.WaitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"the spans awaited did not arrive; received: {string.Join(", ", spans.Select(s => $"{s.Name} {s.TraceId}/{s.SpanId}<-{s.ParentSpanId}"))}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _arrived.Dispose();
    }

    private async Task<IResult> ReceiveAsync(HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        var export = ExportTraceServiceRequest.Parser.ParseFrom(body.ToArray());
        foreach (var resource in export.ResourceSpans)
        {
            var service = resource.Resource?.Attributes.FirstOrDefault(a => a.Key == "service.name") is { } named ? ValueOf(named.Value) : string.Empty;
            foreach (var scope in resource.ScopeSpans)
            {
                foreach (var span in scope.Spans)
                {
                    _spans.Enqueue(new ReceivedSpan(
                        Convert.ToHexStringLower(span.TraceId.Span),
                        Convert.ToHexStringLower(span.SpanId.Span),
                        Convert.ToHexStringLower(span.ParentSpanId.Span),
                        span.Name,
                        span.Attributes.ToDictionary(a => a.Key, a => ValueOf(a.Value)),
                        span.Status?.Code ?? 0,
                        service));
                }
            }
        }

        _arrived.Release();
        // An empty ExportTraceServiceResponse: everything was accepted.
        return Results.Bytes([], "application/x-protobuf");
    }

    private async Task<IResult> ReceiveMetricsAsync(HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        _metricExports.Enqueue(ExportMetricsServiceRequest.Parser.ParseFrom(body.ToArray()));
        _arrived.Release();
        return Results.Bytes([], "application/x-protobuf");
    }

    private static string ValueOf(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => string.Empty,
    };
}
