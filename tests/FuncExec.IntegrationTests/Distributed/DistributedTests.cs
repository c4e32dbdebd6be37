using System.Net.Sockets;
using System.Text.Json;
using FuncExec.Client;
using FuncExec.Core.Tasks;
using FuncExec.Node.Remote;
using static FuncExec.IntegrationTests.Tasks;

namespace FuncExec.IntegrationTests.Distributed;

/// <summary><c>funcexec scheduler</c>, <c>funcexec node</c> and clients as separate processes on 127.0.0.1.</summary>
public sealed class DistributedTests
{
    [Fact]
    public async Task Run_AgainstSchedulerAndNodeProcesses_EveryTaskSucceeds()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync();
        await using var _ = scheduler;
        await using var node = FuncexecProcess.Start("node", "--scheduler", address, "-c", "2", "--name", "n1");
        await node.WaitForAsync("joined scheduler");
        var example = Path.Combine(Funcexec.RepositoryRoot(), "examples", "tasks.yaml");

        var (exitCode, stdout, stderr) = await Funcexec.RunAsync("run", example, "--scheduler", address);

        Assert.True(exitCode == 0, stderr + stdout + scheduler.Output + node.Output);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(8, lines.Length);
        Assert.All(lines, l => Assert.Equal("succeeded", l.GetProperty("status").GetString()));
        Assert.All(lines, l => Assert.StartsWith("n1/worker-", l.GetProperty("worker").GetString(), StringComparison.Ordinal));
        Assert.Equal("55", lines[3].GetProperty("result").GetRawText());
    }

    [Fact]
    public async Task RunAsync_TwoClientsAtOnce_EachGetsExactlyItsOwnResults()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync();
        await using var _ = scheduler;
        await using var node = FuncexecProcess.Start("node", "--scheduler", address, "-c", "2");
        await node.WaitForAsync("joined scheduler");
        await using var a = await RemoteCluster.ConnectAsync(address);
        await using var b = await RemoteCluster.ConnectAsync(address);

        var runA = a.RunAsync([.. Enumerable.Range(0, 300).Select(i => Method($"a{i}", "System.Math.Abs", -i))]);
        var runB = b.RunAsync([.. Enumerable.Range(0, 300).Select(i => Method($"b{i}", "System.Math.Max", i, 1000))]);
        var (ra, rb) = (await runA, await runB);

        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"a{i}"), ra.Select(r => r.Name));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), ra.Select(r => r.ResultJson));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"b{i}"), rb.Select(r => r.Name));
        Assert.All(rb, r => Assert.Equal("1000", r.ResultJson));
    }

    [Fact]
    public async Task Node_StartedBeforeItsScheduler_KeepsTryingAndJoins()
    {
        var port = FreePort();
        var address = $"127.0.0.1:{port}";
        await using var node = FuncexecProcess.Start("node", "--scheduler", address, "-c", "1");
        await node.WaitForAsync("trying again in", times: 2);
        await using var scheduler = FuncexecProcess.Start("scheduler", "--ip-addr", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--udp-port", "0", "--no-dashboard");

        await node.WaitForAsync("joined scheduler");
        await using var client = await RemoteCluster.ConnectAsync(address);
        var report = await client.RunAsync(Method("after-join", "System.Math.Min", 4, 2));
        Assert.Equal("2", report.ResultJson);
    }

    [Fact]
    public async Task Scheduler_PortInUse_ExitsTwoNamingTheAddressAndTheOption()
    {
        using var taken = new TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var (exitCode, _, stderr) = await Funcexec.RunAsync("scheduler", "--ip-addr", "127.0.0.1", "--port", port, "--udp-port", "0", "--no-dashboard");

        Assert.Equal(2, exitCode);
        Assert.Contains($"cannot listen on 127.0.0.1:{port}: the port is in use", stderr, StringComparison.Ordinal);
        Assert.Contains("--port", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scheduler_DiscoveryPortInUse_WarnsAndServesNodesGivenItsAddress()
    {
        using var taken = new UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Any, 0));
        var udp = ((System.Net.IPEndPoint)taken.Client.LocalEndPoint!).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        await using var scheduler = FuncexecProcess.Start("scheduler", "--ip-addr", "127.0.0.1", "--port", "0", "--udp-port", udp, "--no-dashboard");
        await scheduler.WaitForAsync("listening on");

        Assert.Contains($"discovery is off: UDP port {udp} is in use", scheduler.Output, StringComparison.Ordinal);
        Assert.Contains("discovery: off", scheduler.Output, StringComparison.Ordinal);
        var address = "127.0.0.1:" + System.Text.RegularExpressions.Regex.Match(scheduler.Output, @"listening on 127\.0\.0\.1:(\d+)").Groups[1].Value;
        await using var node = FuncexecProcess.Start("node", "--scheduler", address, "-c", "1");
        await node.WaitForAsync("joined scheduler");
    }

    [Fact]
    public async Task Node_DestPathThatCannotBeCreated_ExitsTwoNamingIt()
    {
        var (exitCode, _, stderr) = await Funcexec.RunAsync("node", "--scheduler", "127.0.0.1:1", "--dest-path", "/proc/funcexec-cannot-be-here");

        Assert.Equal(2, exitCode);
        Assert.Contains("--dest-path /proc/funcexec-cannot-be-here cannot be used", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NoSchedulerThere_FailsFastNamingTheAddress()
    {
        var address = $"127.0.0.1:{FreePort()}";
        var file = Path.Combine(Funcexec.RepositoryRoot(), "examples", "tasks.yaml");
        var started = DateTime.UtcNow;

        var (exitCode, _, stderr) = await Funcexec.RunAsync("run", file, "--scheduler", address);

        Assert.Equal(2, exitCode);
        Assert.Contains($"no scheduler answered at {address}", stderr, StringComparison.Ordinal);
        Assert.Contains("connection refused", stderr, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Status_SchedulerWithANode_ListsNodeWorkersAndPulseAge()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync("--pulse-interval", "0.2");
        await using var _ = scheduler;
        await using var node = FuncexecProcess.Start("node", "--scheduler", address, "-c", "2", "--name", "status-node");
        await node.WaitForAsync("joined scheduler");
        await Task.Delay(600); // a few pulses, so CPU use is reported

        var (exitCode, stdout, stderr) = await Funcexec.RunAsync("status", "--scheduler", address, "--json");

        Assert.True(exitCode == 0, stderr);
        var status = JsonDocument.Parse(stdout).RootElement;
        var n = status.GetProperty("nodes").EnumerateArray().Single();
        Assert.Equal("status-node", n.GetProperty("name").GetString());
        // 64-bit fields are JSON numbers, as in run's lines (protobuf's own mapping writes them as strings).
        Assert.Equal(JsonValueKind.Number, n.GetProperty("lastPulseAgeMs").ValueKind);
        Assert.True(n.GetProperty("lastPulseAgeMs").GetInt64() < 5000);
        // The status query's own connection, counted as the dashboard counts clients.
        Assert.Equal(1, status.GetProperty("clients").GetInt32());
        Assert.Equal(2, n.GetProperty("workers").GetArrayLength());
        Assert.All(n.GetProperty("workers").EnumerateArray(), w => Assert.Equal("idle", w.GetProperty("state").GetString()));

        // Zeros are written too: worker 0 on core 0 and an empty queue are fields, not absences.
        var first = n.GetProperty("workers")[0];
        Assert.Equal(0, first.GetProperty("workerId").GetInt32());
        Assert.Equal(0, first.GetProperty("core").GetInt32());
        Assert.Equal(0, status.GetProperty("queued").GetInt32());
    }

    [Fact]
    public async Task Status_OutputPipedOnAColourTerminal_WritesNoEscapeSequences()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync();
        await using var _ = scheduler;
        var start = Funcexec.StartInfo("status", "--scheduler", address);
        start.Environment["TERM"] = "xterm-256color";

        using var status = System.Diagnostics.Process.Start(start)!;
        var stdout = await status.StandardOutput.ReadToEndAsync();
        var stderr = await status.StandardError.ReadToEndAsync();
        await status.WaitForExitAsync();

        Assert.True(status.ExitCode == 0, stderr);
        Assert.Contains("scheduler ", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', stdout);
    }

    [Fact]
    public async Task Kill_RunningTaskFromAnotherProcess_ItsClientGetsKilledAndTheNextTaskRuns()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync();
        await using var _ = scheduler;
        await using var node = FuncexecProcess.Start("node", "--scheduler", address, "-c", "1");
        await node.WaitForAsync("joined scheduler");
        await using var client = await RemoteCluster.ConnectAsync(address);
        var run = client.RunAsync([Code("long", "Thread.Sleep(60_000); return 0;"), Method("next", "System.Math.Abs", -9)]);
        long id = 0;
        Assert.True(await EventuallyAsync(() =>
        {
            var status = client.QueryStatusAsync().GetAwaiter().GetResult();
            id = status.Running.FirstOrDefault(r => r.Name == "long")?.Id ?? 0;
            return id != 0;
        }));

        var (exitCode, stdout, stderr) = await Funcexec.RunAsync("kill", "--scheduler", address, id.ToString(System.Globalization.CultureInfo.InvariantCulture), "999999");
        var reports = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, exitCode); // one of the two ids does not exist
        Assert.Contains($"{id}: being killed on its worker", stdout, StringComparison.Ordinal);
        Assert.Contains("999999: no such task", stdout, StringComparison.Ordinal);
        Assert.True(reports[0].State == TaskState.Killed, stderr + reports[0].Error?.Message);
        Assert.Equal("9", reports[1].ResultJson);
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
