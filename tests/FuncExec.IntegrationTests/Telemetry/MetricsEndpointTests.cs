using System.Net;
using System.Net.Http.Headers;
using FuncExec.Dashboard;
using FuncExec.Protocol.Connections;
using FuncExec.Server;

namespace FuncExec.IntegrationTests.Telemetry;

/// <summary><c>/metrics</c> on the dashboard's port is read like the dashboard's API.</summary>
public sealed class MetricsEndpointTests
{
    private const string Secret = "metrics-endpoint";

    private static SchedulerServerOptions Options(string dashboardIp) => new()
    {
        IpAddr = "127.0.0.1",
        Port = 0,
        UdpPort = 0,
        Security = new TransportSecurity(Secret),
        Dashboard = new DashboardOptions { IpAddr = dashboardIp, Port = 0 },
    };

    [Fact]
    public async Task Metrics_DashboardBeyondLoopback_RefusesAReaderWithoutTheSecretAndServesOneWithIt()
    {
        await using var server = await SchedulerServer.StartAsync(Options("0.0.0.0"));
        using var http = new HttpClient { BaseAddress = new UriBuilder(server.Dashboard!.Url) { Host = "127.0.0.1" }.Uri };

        using var anonymous = await http.GetAsync("metrics");
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "not-it") } };
        using var wrongReply = await http.SendAsync(wrong);
        using var bearer = new HttpRequestMessage(HttpMethod.Get, "metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", Secret) } };
        using var served = await http.SendAsync(bearer);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongReply.StatusCode);
        Assert.Contains("Authorization: Bearer", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.StartsWith("text/plain", served.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_DashboardOnLoopback_ServedWithoutLoginLikeTheApi()
    {
        await using var server = await SchedulerServer.StartAsync(Options("127.0.0.1"));
        using var http = new HttpClient { BaseAddress = server.Dashboard!.Url };

        using var response = await http.GetAsync("metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
    }
}
