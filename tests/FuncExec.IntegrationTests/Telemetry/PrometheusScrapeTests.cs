using System.Text.RegularExpressions;
using FuncExec.Client;
using FuncExec.IntegrationTests.Distributed;
using FuncExec.Protocol.Connections;
using static FuncExec.IntegrationTests.Tasks;

namespace FuncExec.IntegrationTests.Telemetry;

/// <summary>A real Prometheus scrapes a real <c>funcexec scheduler</c>'s <c>/metrics</c>, with the cluster secret as
/// its bearer credentials, and its query API agrees with what a run reported.</summary>
public sealed partial class PrometheusScrapeTests
{
    private const string Secret = "prometheus-scrape";

    [Fact]
    public async Task Prometheus_ScrapingTheScheduler_FinishedTasksByOutcomeMatchTheRun()
    {
        // Beyond loopback, so that reading /metrics needs the secret: Prometheus must authenticate.
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync("--dashboard-port", "0", "--dashboard-ip", "0.0.0.0", "--secret", Secret);
        await using var _ = scheduler;
        await scheduler.WaitForAsync("dashboard on");
        var dashboardPort = new Uri(DashboardUrl().Match(scheduler.Output).Groups[1].Value).Port;
        await using var prometheus = PrometheusServer.Start($"127.0.0.1:{dashboardPort}", "/metrics", Secret);
        await using var node = await FuncexecProcess.StartNodeAsync("--scheduler", address, "-c", "2", "--name", "scraped", "--secret", Secret);
        await using var client = await RemoteCluster.ConnectAsync(address, new RemoteClusterOptions { Security = new TransportSecurity(Secret) });
        TaskSpec[] tasks =
        [
            .. Enumerable.Range(0, 14).Select(i => Method($"ok-{i}", "System.Math.Abs", -i)),
            .. Enumerable.Range(0, 6).Select(i => Method($"bad-{i}", "System.Int32.Parse", "not a number")),
        ];

        var reports = await client.RunAsync(tasks);

        var expected = reports.GroupBy(r => r.State switch
        {
            TaskState.Succeeded => "succeeded",
            TaskState.Failed => "failed",
            TaskState.TimedOut => "timed_out",
            TaskState.Cancelled => "cancelled",
            _ => "killed",
        }).ToDictionary(g => g.Key, g => (double)g.Count(), StringComparer.Ordinal);
        Assert.Equal(14, expected.GetValueOrDefault("succeeded"));
        Assert.Equal(6, expected.GetValueOrDefault("failed"));
        using var http = new HttpClient();
        Dictionary<string, double>? seen = null;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            // Every outcome has a series, at 0 until a task ends that way: compare those the run had.
            seen = (await prometheus.QueryAsync(http, "sum by (funcexec_task_outcome) (funcexec_tasks_finished_total)", "funcexec_task_outcome"))?
                .Where(s => s.Value != 0).ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
            if (seen is not null && seen.Count == expected.Count && expected.All(e => seen.GetValueOrDefault(e.Key) == e.Value))
            {
                break;
            }

            await Task.Delay(250);
        }

        var targets = await http.GetStringAsync(new Uri(prometheus.Url, "api/v1/targets"));
        Assert.True(
            seen is not null && expected.OrderBy(e => e.Key).SequenceEqual(seen.OrderBy(e => e.Key)),
            $"Prometheus says {(seen is null ? "nothing" : string.Join(", ", seen.Select(s => $"{s.Key}={s.Value}")))}; the run reported "
            + $"{string.Join(", ", expected.Select(e => $"{e.Key}={e.Value}"))}. Targets: {targets}\nPrometheus:\n{prometheus.Output}");
        var submitted = await prometheus.QueryAsync(http, "sum(funcexec_tasks_submitted_total)", "none");
        Assert.Equal(tasks.Length, submitted!.GetValueOrDefault(string.Empty));
    }

    [GeneratedRegex(@"dashboard on (\S+)")]
    private static partial Regex DashboardUrl();
}
