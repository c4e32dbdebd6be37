using System.Text.RegularExpressions;
using FuncExec.Client;
using FuncExec.IntegrationTests.Distributed;
using FuncExec.Protocol.Connections;

namespace FuncExec.IntegrationTests.Dashboard;

/// <summary>A real <c>funcexec scheduler</c> with its dashboard on a free port, a real <c>funcexec node</c>, and a client.</summary>
internal sealed partial class DashboardCluster : IAsyncDisposable
{
    public const string Secret = "dashboard-test-secret";

    private DashboardCluster(FuncexecProcess scheduler, FuncexecProcess node, RemoteCluster client, Uri url, string address)
    {
        Address = address;
        Scheduler = scheduler;
        Node = node;
        Client = client;
        Url = url;
    }

    public FuncexecProcess Scheduler { get; }

    /// <summary>The scheduler's <c>host:port</c>.</summary>
    public string Address { get; }

    /// <summary>Client options that match the cluster's secret.</summary>
    public static RemoteClusterOptions ClientOptions => new() { Security = new TransportSecurity(Secret) };

    public FuncexecProcess Node { get; }

    public RemoteCluster Client { get; }

    /// <summary>The dashboard's page, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Url { get; }

    public static async Task<DashboardCluster> StartAsync(int workers, string nodeName, string pulseInterval = "0.5")
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync("--dashboard-port", "0", "--secret", Secret, "--pulse-interval", pulseInterval);
        await scheduler.WaitForAsync("dashboard on");
        var url = new Uri(DashboardUrl().Match(scheduler.Output).Groups[1].Value);
        var node = FuncexecProcess.Start("node", "--scheduler", address, "-c", workers.ToString(System.Globalization.CultureInfo.InvariantCulture), "--name", nodeName, "--secret", Secret);
        await node.WaitForAsync("joined scheduler");
        var client = await RemoteCluster.ConnectAsync(address, ClientOptions);
        return new DashboardCluster(scheduler, node, client, url, address);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Node.DisposeAsync();
        await Scheduler.DisposeAsync();
    }

    [GeneratedRegex(@"dashboard on (\S+)")]
    private static partial Regex DashboardUrl();
}
