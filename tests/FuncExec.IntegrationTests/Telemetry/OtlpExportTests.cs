using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FuncExec.IntegrationTests.Telemetry;

/// <summary><c>--otlp-endpoint</c> sends the <c>FuncExec</c> metrics over OTLP/HTTP, flushed when the process exits.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Run_WithOtlpEndpoint_PostsTheTaskCountersToTheCollectorsMetricsPath()
    {
        var port = FreePort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        collector.Start();
        var received = new ConcurrentQueue<(string Path, byte[] Body)>();
        var receiving = ReceiveAsync(collector, received);
        var file = Path.Combine(Funcexec.RepositoryRoot(), "examples", "tasks.yaml");
        var start = Funcexec.StartInfo("run", file, "--workers", "2", "--otlp-endpoint", $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        start.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";

        using var run = Process.Start(start)!;
        var stdout = run.StandardOutput.ReadToEndAsync();
        var stderr = run.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await run.WaitForExitAsync(guard.Token);
        collector.Stop();
        await receiving;

        Assert.True(run.ExitCode is 0 or 1, $"funcexec run exited with {run.ExitCode}: {await stderr}");
        Assert.NotEmpty(await stdout);
        var metrics = received.Where(r => r.Path == "/v1/metrics").ToArray();
        Assert.NotEmpty(metrics);
        // The protobuf carries each metric's name as UTF-8 text; the export at exit holds the run's counters.
        var names = string.Join("\n", metrics.Select(m => Encoding.UTF8.GetString(m.Body)));
        Assert.Contains("funcexec.tasks.finished", names, StringComparison.Ordinal);
        Assert.Contains("funcexec.task.outcome", names, StringComparison.Ordinal);
        Assert.Contains("funcexec-run", names, StringComparison.Ordinal);
    }

    private static async Task ReceiveAsync(HttpListener collector, ConcurrentQueue<(string Path, byte[] Body)> received)
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await collector.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // Stopped.
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            received.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
            // An empty export response is a valid protobuf message: everything was accepted.
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
