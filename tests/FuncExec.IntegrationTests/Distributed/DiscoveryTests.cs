using FuncExec.IntegrationTests.Network;

namespace FuncExec.IntegrationTests.Distributed;

/// <summary>A node finding its scheduler by UDP broadcast, on hosts made from network namespaces.</summary>
public sealed class DiscoveryTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static IEnumerable<string> Funcexec(params string[] args) => ["exec", Path.Combine(AppContext.BaseDirectory, "funcexec.dll"), .. args];

    [Fact]
    public async Task Node_NoSchedulerGivenAndNoRouteForBroadcast_KeepsRetryingAndSaysWhy()
    {
        // Issue 9, point 6: on main the node exited with an unhandled SocketException (101).
        using var lab = NetworkLab.Create("lonely");
        Ip.Run("-n", lab["lonely"].Namespace, "route", "del", "default");
        using var node = lab.Start("lonely", "dotnet", Funcexec("node", "-c", "1", "--name", "lonely"));

        var first = await node.WaitForOutputAsync("cannot reach a scheduler", Patience);
        await node.WaitForOutputAsync("3 attempts to reach a scheduler failed so far", Patience);

        Assert.Contains("cannot broadcast on UDP port 9700", first, StringComparison.Ordinal);
        Assert.False(node.HasExited, node.Output);

        // The same reason is logged once, then summarized, not once per attempt.
        Assert.Single(node.Output.Split('\n'), line => line.Contains("cannot reach a scheduler", StringComparison.Ordinal));
        node.Kill();
    }
}
