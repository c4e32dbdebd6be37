using System.Globalization;
using System.Net;
using System.Net.Sockets;
using FuncExec.Client;
using FuncExec.IntegrationTests.Distributed;
using FuncExec.TestJobs;

namespace FuncExec.IntegrationTests.Telemetry;

/// <summary><c>funcexec node --metrics-port</c>: the node's own Prometheus endpoint, scraped from a real node process
/// whose worker was killed and replaced.</summary>
public sealed class NodeMetricsEndpointTests
{
    // Bounds on waiting for a process or a scrape, so a node that never reports fails the test instead of hanging it.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>What only the scheduler reports: a node's endpoint must not show them, not even as zeros that a
    /// dashboard's <c>sum()</c> would mix with the scheduler's.</summary>
    private static readonly string[] SchedulerOnly =
    [
        "funcexec_tasks_submitted_total", "funcexec_tasks_started_total", "funcexec_tasks_finished_total", "funcexec_tasks_retried_total",
        "funcexec_queue_length", "funcexec_workers_busy", "funcexec_workers_idle",
        "funcexec_task_duration_seconds_count", "funcexec_task_queue_wait_seconds_count",
        "funcexec_journal_writes_total", "funcexec_journal_write_duration_seconds_count",
    ];

    [Fact]
    public async Task MetricsPort_NodeWhoseWorkerWasKilled_ServesItsDeathRespawnHandoverRefillAndFramesButNoSchedulerInstrument()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync();
        await using var _ = scheduler;
        var port = FreePort();
        await using var node = await FuncexecProcess.StartNodeAsync(
            "--scheduler", address, "-c", "1", "--name", "metered", "--metrics-port", port, "--metrics-ip", "127.0.0.1");
        var url = $"http://127.0.0.1:{port}/metrics";
        Assert.Contains($"node: metrics on {url}", node.Output, StringComparison.Ordinal);
        using var http = new HttpClient { Timeout = Patience };

        await using (var client = await RemoteCluster.ConnectAsync(address))
        await using (var computation = await client.ScheduleAsync())
        {
            Assert.Equal(9, await computation.RunAsync(() => ApiJobs.Square(3)).WaitAsync(Patience));
            // The node starts its warm spare a moment after its workers, and a process start is slow on a busy
            // machine: a worker killed before the spare said hello is replaced by a new process instead. The node
            // says when its spare is ready, so the kill waits for that.
            var before = await ScrapeUntilAsync(http, url, m => m.Sum("funcexec_spare_ready") >= 1);
            Assert.Equal(1, before.Sum("funcexec_spare_ready", ("funcexec_node", "metered")));
            var victim = await computation.SubmitAsync(ctx => Jobs.StartThenWaitForCancel(ctx));
            Assert.Equal("started", await victim.ReceiveAsync<string>().WaitAsync(Patience));
            Assert.Equal(TaskState.Killed, await victim.KillAsync().WaitAsync(Patience));
            // The node's only slot ran this after the kill: its replacement took work.
            Assert.Equal(16, await computation.RunAsync(() => ApiJobs.Square(4)).WaitAsync(Patience));
        }

        var metrics = await ScrapeUntilAsync(http, url, m => m.Sum("funcexec_worker_respawns_total") >= 1);

        // One death, because of the kill; one replacement (the node's warm spare), which said hello and took work.
        Assert.Equal(1, metrics.Sum("funcexec_worker_deaths_total", ("funcexec_reason", "killed")));
        Assert.Equal(1, metrics.Sum("funcexec_worker_deaths_total"));
        Assert.Equal(1, metrics.Sum("funcexec_worker_respawns_total", ("funcexec_worker_replacement", "spare")));
        Assert.Equal(1, metrics.Sum("funcexec_worker_respawns_total"));
        Assert.Equal(1, metrics.Sum("funcexec_spare_handovers_total"));
        Assert.Equal(1, metrics.Sum("funcexec_kill_refill_duration_seconds_count", ("funcexec_worker_replacement", "spare")));
        Assert.Equal(1, metrics.Sum("funcexec_kill_refill_duration_seconds_count"));
        Assert.True(metrics.Sum("funcexec_kill_refill_duration_seconds_sum") > 0, metrics.Text);

        // Frames both ways with the scheduler and with the workers.
        foreach (var role in new[] { "scheduler", "worker" })
        {
            var received = metrics.Sum("funcexec_frames_received_total", ("funcexec_peer_role", role));
            var sent = metrics.Sum("funcexec_frames_sent_total", ("funcexec_peer_role", role));
            Assert.True(received >= 1 && sent >= 1, $"no frames with the {role} counted:\n{metrics.Text}");
            // Each frame is at least its 4-byte length prefix.
            Assert.True(metrics.Sum("funcexec_bytes_received_bytes_total", ("funcexec_peer_role", role)) >= 4 * received, metrics.Text);
            Assert.True(metrics.Sum("funcexec_bytes_sent_bytes_total", ("funcexec_peer_role", role)) >= 4 * sent, metrics.Text);
        }

        // The roles are counted from zero in every process; a node has no client and no other node to talk to.
        foreach (var role in new[] { "client", "node" })
        {
            Assert.Equal(0, metrics.Sum("funcexec_frames_received_total", ("funcexec_peer_role", role)));
            Assert.Equal(0, metrics.Sum("funcexec_frames_sent_total", ("funcexec_peer_role", role)));
        }

        Assert.Empty(SchedulerOnly.Intersect(metrics.Names));
    }

    [Fact]
    public async Task MetricsPort_WithoutMetricsIp_ListensOnLoopbackOnlyAndServesWithoutLogin()
    {
        // No scheduler is needed: the endpoint opens before the node joins one, and this node keeps trying.
        var port = FreePort();
        await using var node = FuncexecProcess.Start("node", "--scheduler", $"127.0.0.1:{FreePort()}", "-c", "1", "--metrics-port", port);
        var url = $"http://127.0.0.1:{port}/metrics";
        await node.WaitForAsync($"node: metrics on {url}");

        // Bound to 127.0.0.1 and nothing else: no socket of this port listens on another address, IPv4 or IPv6.
        var listening = ListeningAddresses(int.Parse(port, CultureInfo.InvariantCulture));
        Assert.Equal([IPAddress.Loopback], listening);

        // The README's promise: no login (so it must stay on loopback unless --metrics-ip says otherwise).
        using var http = new HttpClient { Timeout = Patience };
        using var response = await http.GetAsync(new Uri(url));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetricsPort_MetricsIpEveryInterface_RefusedNamingTheOptionInsteadOfCrashing()
    {
        // The Prometheus listener binds one address: 0.0.0.0 is refused with what to give instead, before anything starts.
        var (exitCode, _, stderr) = await Funcexec.RunAsync("node", "--scheduler", $"127.0.0.1:{FreePort()}", "-c", "1", "--metrics-port", FreePort(), "--metrics-ip", "0.0.0.0");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("--metrics-ip 0.0.0.0 (every interface) cannot be served", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);
    }

    /// <summary>Scrapes until <paramref name="ready"/> holds (a spare's or a replacement's hello is counted as it comes); fails with
    /// the last scrape after <see cref="Patience"/>.</summary>
    private static async Task<PrometheusText> ScrapeUntilAsync(HttpClient http, string url, Func<PrometheusText, bool> ready)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var metrics = new PrometheusText(await http.GetStringAsync(new Uri(url)));
            if (ready(metrics))
            {
                return metrics;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the node's metrics never showed what was awaited:\n{metrics.Text}");
            await Task.Delay(100);
        }
    }

    /// <summary>The local addresses of the sockets listening on TCP <paramref name="port"/>, from /proc/net/tcp and tcp6.</summary>
    private static List<IPAddress> ListeningAddresses(int port)
    {
        const string Listen = "0A";
        var found = new List<IPAddress>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var local = fields[1].Split(':');
                if (fields[3] != Listen || int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) != port)
                {
                    continue;
                }

                // The kernel prints each 32-bit word of the address in host (little-endian) order.
                var bytes = Convert.FromHexString(local[0]);
                for (var word = 0; word < bytes.Length; word += 4)
                {
                    Array.Reverse(bytes, word, 4);
                }

                var address = new IPAddress(bytes);
                found.Add(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
            }
        }

        return found;
    }

    private static string FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
    }
}
