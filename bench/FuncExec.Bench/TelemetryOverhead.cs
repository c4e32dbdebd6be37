using System.Globalization;
using System.Net;
using System.Net.Sockets;
using FuncExec.Client;
using FuncExec.Core.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace FuncExec.Bench;

/// <summary>
/// What collecting FuncExec's metrics and sampled traces costs W1 and W2 on the embedded cluster, as a ratio to the
/// same workloads with nothing listening, measured in one run with the modes interleaved round by round (the machine
/// is shared and noisy: a ratio of neighbours says more than two figures minutes apart).
/// </summary>
/// <remarks>"metrics" is what a scheduler with its dashboard does by default: a meter provider on the <c>FuncExec</c>
/// meter with a Prometheus exporter, scraped here every second; "metrics, not scraped" is the same provider with no
/// scrape, which tells the cost of recording from the cost of collecting. "metrics + traces" adds a tracer provider on the
/// <c>FuncExec</c> source that samples 1% of new traces, and exports none (no OTLP collector is needed).</remarks>
internal static class TelemetryOverhead
{
    private static readonly string[] Modes = ["off", "metrics", "metrics, not scraped", "metrics + traces"];

    public static async Task RunAsync(Workloads workloads, int rounds)
    {
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = workloads.Workers });
        await workloads.WarmUpAsync(cluster);
        var w1 = Modes.ToDictionary(m => m, _ => new List<double>());
        var w2 = Modes.ToDictionary(m => m, _ => new List<double>());
        for (var round = 0; round < rounds; round++)
        {
            // A different mode goes first each round, so a slow start or a noisy neighbour does not always fall on one.
            for (var k = 0; k < Modes.Length; k++)
            {
                var mode = Modes[(round + k) % Modes.Length];
                Console.Error.WriteLine($"telemetry round {round + 1}/{rounds}: {mode} ...");
                using var collecting = Collect(mode, out var scrape);
                using var scraping = new CancellationTokenSource();
                var scraper = scrape is null || mode == "metrics, not scraped" ? Task.CompletedTask : ScrapeAsync(scrape, scraping.Token);
                w1[mode].Add(await workloads.W1Async(cluster));
                w2[mode].Add(Workloads.Percentile(await workloads.W2Async(cluster), 0.5));
                await scraping.CancelAsync();
                await scraper;
            }
        }

        Console.WriteLine();
        Console.WriteLine($"telemetry overhead on the embedded cluster, {workloads.Workers} workers, {rounds} interleaved rounds (medians; ratios to off in the same round)");
        Console.WriteLine($"{"mode",-18} {"W1 tasks/s",12} {"W1 ratio",9} {"W2 p50 µs",10} {"W2 ratio",9}");
        foreach (var mode in Modes)
        {
            var w1Ratio = Median(w1[mode].Zip(w1["off"], (on, off) => on / off));
            var w2Ratio = Median(w2[mode].Zip(w2["off"], (on, off) => on / off));
            Console.WriteLine($"{mode,-18} {Median(w1[mode]),12:N0} {w1Ratio,9:F3} {Median(w2[mode]),10:F0} {w2Ratio,9:F3}");
        }

        var cost = 1 - Median(w1["metrics"].Zip(w1["off"], (on, off) => on / off));
        Console.WriteLine($"metrics cost on W1: {cost:P1} of throughput (target <= 5%)");
    }

    private static IDisposable? Collect(string mode, out Uri? scrape)
    {
        scrape = null;
        if (mode == "off")
        {
            return null;
        }

        var port = FreePort();
        scrape = new Uri($"http://localhost:{port.ToString(CultureInfo.InvariantCulture)}/metrics");
        var meters = Sdk.CreateMeterProviderBuilder()
            .AddMeter(FuncExecTelemetry.Name)
            .AddPrometheusHttpListener(listener => listener.Port = port)
            .Build();
        if (mode != "metrics + traces")
        {
            return meters;
        }

        var tracers = Sdk.CreateTracerProviderBuilder()
            .AddSource(FuncExecTelemetry.Name)
            .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(0.01)))
            .Build();
        return new Both(meters, tracers);
    }

    private static async Task ScrapeAsync(Uri url, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                using var response = await http.GetAsync(url, cancellationToken);
                response.EnsureSuccessStatusCode();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The mode's run ended.
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private sealed class Both(MeterProvider meters, TracerProvider? tracers) : IDisposable
    {
        public void Dispose()
        {
            tracers?.Dispose();
            meters.Dispose();
        }
    }
}
