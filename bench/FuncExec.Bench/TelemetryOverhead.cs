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
/// meter with a Prometheus exporter, scraped here every 250 ms; "metrics, not scraped" is the same provider with no
/// scrape, which tells the cost of recording from the cost of collecting. "metrics + traces" adds a tracer provider on the
/// <c>FuncExec</c> source that samples 1% of new traces, and exports none (no OTLP collector is needed).</remarks>
internal static class TelemetryOverhead
{
    // Sixty times as often as Prometheus's default of 15 s, so that W1's fraction of a second sees a few.
    private static readonly TimeSpan ScrapeInterval = TimeSpan.FromMilliseconds(250);

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
                // What setting up a mode leaves to collect (a provider's metric points, the last mode's provider)
                // is collected now, not during the mode's measurement: a service sets its provider up once.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                using var scraping = new CancellationTokenSource();
                var scraper = scrape is null || mode == "metrics, not scraped" ? Task.CompletedTask : ScrapeAsync(scrape, scraping.Token);
                w1[mode].Add(await workloads.W1Async(cluster));
                w2[mode].Add(Workloads.Percentile(await workloads.W2Async(cluster), 0.5));
                await scraping.CancelAsync();
                await scraper;
            }
        }

        Console.WriteLine();
        Console.WriteLine($"telemetry overhead on the embedded cluster, {workloads.Workers} workers, {rounds} interleaved rounds");
        Console.WriteLine("(medians; ratios to off in the same round, with the 95% interval of their median by bootstrap)");
        Console.WriteLine($"{"mode",-21} {"W1 tasks/s",10} {"W1 ratio",20} {"W2 p50 µs",10} {"W2 ratio",20}");
        foreach (var mode in Modes)
        {
            var w1Ratios = w1[mode].Zip(w1["off"], (on, off) => on / off).ToArray();
            var w2Ratios = w2[mode].Zip(w2["off"], (on, off) => on / off).ToArray();
            Console.WriteLine($"{mode,-21} {Median(w1[mode]),10:N0} {Interval(w1Ratios),20} {Median(w2[mode]),10:F0} {Interval(w2Ratios),20}");
        }

        var w1Metrics = w1["metrics"].Zip(w1["off"], (on, off) => on / off).ToArray();
        var (low, high) = MedianInterval(w1Metrics);
        Console.WriteLine($"metrics cost on W1: {1 - Median(w1Metrics):P1} of throughput (95% interval {1 - high:P1} to {1 - low:P1}; target <= 5%)");
    }

    private static string Interval(double[] ratios)
    {
        var (low, high) = MedianInterval(ratios);
        return FormattableString.Invariant($"{Median(ratios):F3} [{low:F3}, {high:F3}]");
    }

    /// <summary>The 95% interval of the median of <paramref name="values"/>, by resampling them 2,000 times.</summary>
    private static (double Low, double High) MedianInterval(double[] values)
    {
        var random = new Random(12345);
        var medians = new double[2000];
        var sample = new double[values.Length];
        for (var i = 0; i < medians.Length; i++)
        {
            for (var j = 0; j < sample.Length; j++)
            {
                sample[j] = values[random.Next(values.Length)];
            }

            medians[i] = Median(sample);
        }

        Array.Sort(medians);
        return (medians[(int)(0.025 * medians.Length)], medians[(int)(0.975 * medians.Length)]);
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
                using (var response = await http.GetAsync(url, cancellationToken))
                {
                    response.EnsureSuccessStatusCode();
                }

                await Task.Delay(ScrapeInterval, cancellationToken);
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
