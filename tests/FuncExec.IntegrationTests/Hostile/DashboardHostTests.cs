using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncExec.Client;
using FuncExec.Core.Tasks;
using FuncExec.Dashboard;
using FuncExec.IntegrationTests.Dashboard;
using FuncExec.IntegrationTests.Distributed;
using static FuncExec.IntegrationTests.Tasks;

namespace FuncExec.IntegrationTests.Hostile;

/// <summary>
/// Issue 9: the dashboard answers only to its own host names, so a page that points its DNS name
/// at this machine (DNS rebinding) can neither read it nor kill; posts from other origins are
/// refused; listening beyond loopback, reading needs the secret. Real HTTP with explicit Host headers
/// against a real <c>funcexec scheduler</c> and the embedded cluster.
/// </summary>
public sealed class DashboardHostTests
{
    private const string Rebound = "attacker.example";

    [Fact]
    public async Task Kill_EmbeddedClusterWithoutSecretHostOfAnotherName_Is421AndTheTaskRunsOn()
    {
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions
        {
            Workers = 1,
            Dashboard = new DashboardOptions { Port = 0, Hosts = ["dash.example"] },
        });
        var url = cluster.DashboardUrl!;
        using var http = new HttpClient { BaseAddress = url };
        await using var computation = await cluster.ScheduleAsync(new ComputationOptions { Name = "rebinding" });
        var sleeper = await computation.SubmitAsync<int>(Code("sleeper", "Thread.Sleep(60_000); return 1;"));
        Assert.True(await RunningAsync(http, "sleeper"));

        // What a rebound page sends: its own name as the host, its own origin.
        using var rebound = await SendAsync(http, HttpMethod.Post, $"api/tasks/{sleeper.Id}/kill", $"{Rebound}:{url.Port}", origin: $"http://{Rebound}:{url.Port}");
        using var reboundRead = await SendAsync(http, HttpMethod.Get, "api/tasks", $"{Rebound}:{url.Port}");
        // A configured name may read, but without a secret only a loopback name may act.
        using var named = await SendAsync(http, HttpMethod.Post, $"api/tasks/{sleeper.Id}/kill", $"dash.example:{url.Port}");
        using var namedRead = await SendAsync(http, HttpMethod.Get, "api/tasks", $"dash.example:{url.Port}");

        Assert.Equal(HttpStatusCode.MisdirectedRequest, rebound.StatusCode);
        Assert.Contains("does not answer to the host", await rebound.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.MisdirectedRequest, reboundRead.StatusCode);
        Assert.DoesNotContain("sleeper", await reboundRead.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, named.StatusCode);
        Assert.Equal(HttpStatusCode.OK, namedRead.StatusCode);
        Assert.False(sleeper.Completion.IsCompleted);
        Assert.True(await RunningAsync(http, "sleeper"));

        using var kill = await SendAsync(http, HttpMethod.Post, $"api/tasks/{sleeper.Id}/kill", $"localhost:{url.Port}", origin: $"http://localhost:{url.Port}");
        Assert.Equal(HttpStatusCode.Accepted, kill.StatusCode);
        Assert.Equal(TaskState.Killed, (await sleeper.Completion).State);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("localhost", true)]
    [InlineData("[::1]", true)]
    [InlineData("dash.example", true)]
    [InlineData(Rebound, false)]
    [InlineData("127.0.0.1.attacker.example", false)]
    public async Task Read_SchedulerProcessByHost_OnlyItsOwnNamesAreAnswered(string host, bool answered)
    {
        var (scheduler, _) = await FuncexecProcess.StartSchedulerAsync("--dashboard-port", "0", "--secret", DashboardCluster.Secret, "--dashboard-host", "dash.example");
        await using var _ = scheduler;
        using var http = new HttpClient { BaseAddress = await DashboardUrlAsync(scheduler) };

        using var status = await SendAsync(http, HttpMethod.Get, "api/status", $"{host}:{http.BaseAddress!.Port}");
        using var page = await SendAsync(http, HttpMethod.Get, "/", host);

        var expected = answered ? HttpStatusCode.OK : HttpStatusCode.MisdirectedRequest;
        Assert.Equal(expected, status.StatusCode);
        Assert.Equal(expected, page.StatusCode);
        if (!answered)
        {
            Assert.Equal("text/plain", status.Content.Headers.ContentType?.MediaType);
            Assert.Contains("--dashboard-host", await status.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Kill_SchedulerProcessReboundHostWithTheSecret_Is421()
    {
        var (scheduler, _) = await FuncexecProcess.StartSchedulerAsync("--dashboard-port", "0", "--secret", DashboardCluster.Secret);
        await using var _ = scheduler;
        using var http = new HttpClient { BaseAddress = await DashboardUrlAsync(scheduler) };

        using var rebound = await SendAsync(http, HttpMethod.Post, "api/tasks/1/kill", $"{Rebound}:{http.BaseAddress!.Port}", secret: DashboardCluster.Secret);
        using var own = await SendAsync(http, HttpMethod.Post, "api/tasks/1/kill", $"127.0.0.1:{http.BaseAddress.Port}", secret: DashboardCluster.Secret);

        Assert.Equal(HttpStatusCode.MisdirectedRequest, rebound.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, own.StatusCode); // allowed; there is no task 1
        await scheduler.WaitForAsync($"host '{Rebound}:");
    }

    [Fact]
    public async Task Post_SchedulerProcessFromAPageOfAnotherOrigin_Is403EvenForLogin()
    {
        var (scheduler, _) = await FuncexecProcess.StartSchedulerAsync("--dashboard-port", "0", "--secret", DashboardCluster.Secret);
        await using var _ = scheduler;
        using var http = new HttpClient { BaseAddress = await DashboardUrlAsync(scheduler) };
        var host = $"127.0.0.1:{http.BaseAddress!.Port}";

        using var login = await SendAsync(http, HttpMethod.Post, "api/login", host, origin: "http://evil.example", body: new { secret = DashboardCluster.Secret });
        using var fetchSite = await SendAsync(http, HttpMethod.Post, "api/tasks/1/kill", host, secret: DashboardCluster.Secret, fetchSite: "cross-site");
        using var sameOrigin = await SendAsync(http, HttpMethod.Post, "api/login", host, origin: $"http://{host}", fetchSite: "same-origin", body: new { secret = DashboardCluster.Secret });

        Assert.Equal(HttpStatusCode.Forbidden, login.StatusCode);
        Assert.False(login.Headers.Contains("Set-Cookie"));
        Assert.Equal(HttpStatusCode.Forbidden, fetchSite.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, sameOrigin.StatusCode);
    }

    [Fact]
    public async Task Read_SchedulerDashboardBeyondLoopback_NeedsTheSecretEvenFromLoopback()
    {
        var (scheduler, _) = await FuncexecProcess.StartSchedulerAsync("--dashboard-port", "0", "--dashboard-ip", "0.0.0.0", "--secret", DashboardCluster.Secret);
        await using var _ = scheduler;
        var listening = await DashboardUrlAsync(scheduler);
        using var http = new HttpClient { BaseAddress = new UriBuilder(listening) { Host = "127.0.0.1" }.Uri };
        var host = $"127.0.0.1:{listening.Port}";

        using var anonymous = await SendAsync(http, HttpMethod.Get, "api/computations", host);
        using var withSecret = await SendAsync(http, HttpMethod.Get, "api/computations", host, secret: DashboardCluster.Secret);
        using var auth = await SendAsync(http, HttpMethod.Get, "api/auth", host);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("beyond loopback", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, withSecret.StatusCode);
        Assert.False(JsonDocument.Parse(await auth.Content.ReadAsStringAsync()).RootElement.GetProperty("canRead").GetBoolean());
    }

    private static async Task<HttpResponseMessage> SendAsync(
        HttpClient http, HttpMethod method, string path, string host, string? origin = null, string? secret = null, string? fetchSite = null, object? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Host = host;
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (secret is not null)
        {
            request.Headers.Add("X-FuncExec-Secret", secret);
        }

        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await http.SendAsync(request);
    }

    private static async Task<Uri> DashboardUrlAsync(FuncexecProcess scheduler)
    {
        await scheduler.WaitForAsync("dashboard on");
        var match = System.Text.RegularExpressions.Regex.Match(scheduler.Output, @"dashboard on (\S+)");
        return new Uri(match.Groups[1].Value);
    }

    private static async Task<bool> RunningAsync(HttpClient http, string taskName)
    {
        for (var i = 0; i < 200; i++)
        {
            var status = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/status", UriKind.Relative))).RootElement;
            if (status.GetProperty("nodes").EnumerateArray().SelectMany(n => n.GetProperty("workers").EnumerateArray()).Any(w => w.GetProperty("taskName").GetString() == taskName))
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }
}
