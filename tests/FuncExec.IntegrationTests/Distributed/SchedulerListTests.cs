using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace FuncExec.IntegrationTests.Distributed;

/// <summary><c>funcexec node --scheduler a,b</c>: a scheduler and its standby, tried in turn.</summary>
public sealed class SchedulerListTests
{
    private const string Secret = "scheduler-list-test-secret";

    [Fact]
    public async Task Node_FirstSchedulerOfTheListDown_JoinsTheSecond()
    {
        var down = FreePort();
        await using var scheduler = await StartSchedulerAsync(FreePort());
        var up = scheduler.Port;

        await using var node = await FuncexecProcess.StartNodeAsync("--scheduler", $"127.0.0.1:{down},127.0.0.1:{up}", "-c", "1", "--secret", Secret);

        Assert.Contains($"at 127.0.0.1:{up}", node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_JoinedSchedulerDies_JoinsTheOtherOneOfTheList()
    {
        var second = FreePort();
        var first = await StartSchedulerAsync(FreePort());
        await using var node = await FuncexecProcess.StartNodeAsync("--scheduler", $"127.0.0.1:{first.Port},127.0.0.1:{second}", "-c", "1", "--secret", Secret);

        first.Process.Kill();
        await first.DisposeAsync();
        await using var other = await StartSchedulerAsync(second);

        await node.WaitForAsync("joined scheduler", times: 2);
        await other.Process.WaitForAsync("joined");
        Assert.Contains($"at 127.0.0.1:{second}", node.Output, StringComparison.Ordinal);
    }

    private static async Task<Scheduler> StartSchedulerAsync(int port)
    {
        var process = FuncexecProcess.Start(
            "scheduler", "--ip-addr", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--udp-port", "0", "--no-dashboard", "--secret", Secret);
        await process.WaitForAsync("listening on");
        return new Scheduler(process, port);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record Scheduler(FuncexecProcess Process, int Port) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Process.DisposeAsync();
    }
}
