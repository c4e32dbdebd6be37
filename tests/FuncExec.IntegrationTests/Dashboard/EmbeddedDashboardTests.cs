using System.Net;
using System.Text.Json;
using FuncExec.Client;
using FuncExec.Core.Tasks;
using FuncExec.Dashboard;
using static FuncExec.IntegrationTests.Tasks;

namespace FuncExec.IntegrationTests.Dashboard;

/// <summary>The embedded cluster's dashboard: the scheduler's page, served from the user's own process.</summary>
public sealed class EmbeddedDashboardTests
{
    [Fact]
    public async Task StartLocal_WithDashboard_ShowsTheInProcessNodeItsWorkersAndTheRunningTaskAndKillsIt()
    {
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 2, Dashboard = new DashboardOptions { Port = 0 } });
        Assert.NotNull(cluster.DashboardUrl);
        using var http = new HttpClient { BaseAddress = cluster.DashboardUrl };
        await using var computation = await cluster.ScheduleAsync(new ComputationOptions { Name = "embedded-dash" });
        var sleeper = await computation.SubmitAsync<int>(Code("sleeper", "Thread.Sleep(60_000); return 1;"));

        JsonElement node = default;
        Assert.True(await EventuallyAsync(async () =>
        {
            var status = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/status", UriKind.Relative))).RootElement;
            node = status.GetProperty("nodes").EnumerateArray().Single();
            return node.GetProperty("workers").EnumerateArray().Any(w => w.GetProperty("taskName").GetString() == "sleeper");
        }));
        Assert.Equal("in process", node.GetProperty("address").GetString());
        Assert.False(node.GetProperty("stuck").GetBoolean());
        Assert.Equal(2, node.GetProperty("workers").GetArrayLength());
        var computations = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/computations", UriKind.Relative))).RootElement;
        Assert.Contains(computations.GetProperty("computations").EnumerateArray(), c => c.GetProperty("name").GetString() == "embedded-dash");

        // Actions from loopback need no secret on a cluster without one.
        using var kill = await http.PostAsync(new Uri($"api/tasks/{sleeper.Id}/kill", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.Accepted, kill.StatusCode);
        Assert.Equal(TaskState.Killed, (await sleeper.Completion).State);
    }

    [Fact]
    public async Task Run_WithDashboard_PrintsWhereItIsAndTheRunSucceeds()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("funcexec-dash-").FullName, "tasks.yaml");
        await File.WriteAllTextAsync(file, "tasks:\n  - function: System.Math.Max\n    params: [1, 2]\n");

        var (exitCode, stdout, stderr) = await Funcexec.RunAsync("run", file, "--workers", "1", "--dashboard", "--dashboard-port", "0");

        Assert.True(exitCode == 0, stderr);
        Assert.Matches(@"dashboard: http://127\.0\.0\.1:\d+/", stderr);
        Assert.Contains("\"result\":2", stdout, StringComparison.Ordinal);
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }
}
