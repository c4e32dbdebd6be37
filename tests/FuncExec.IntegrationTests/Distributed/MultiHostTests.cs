using System.Text.Json;
using FuncExec.IntegrationTests.Network;

namespace FuncExec.IntegrationTests.Distributed;

/// <summary>
/// A scheduler and two nodes on hosts of their own (network namespaces joined by a bridge),
/// with a client on a fourth: nodes die, links are cut, the scheduler restarts.
/// </summary>
public sealed class MultiHostTests
{
    private const double Pulse = 0.2;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static IEnumerable<string> Funcexec(params string[] args) => ["exec", Path.Combine(AppContext.BaseDirectory, "funcexec.dll"), .. args];

    /// <summary>The hosts share no home with the scheduler's secret in it: every funcexec gets the cluster's.</summary>
    private static Dictionary<string, string> WithSecret => new() { ["FUNCEXEC_SECRET"] = "multi-host secret" };

    private static LabProcess StartScheduler(NetworkLab lab) =>
        lab.Start("sched", "dotnet", Funcexec("scheduler", "--no-journal", "--pulse-interval", Pulse.ToString(System.Globalization.CultureInfo.InvariantCulture), "--name", "sched"), WithSecret);

    private static LabProcess StartNode(NetworkLab lab, string host, bool discover = false) =>
        lab.Start(host, "dotnet", discover
            ? Funcexec("node", "-c", "1", "--name", host)
            : Funcexec("node", "-c", "1", "--name", host, "--scheduler", $"{lab["sched"].Address}:9700"), WithSecret);

    private static async Task<(LabProcess Scheduler, LabProcess N1, LabProcess N2)> StartClusterAsync(NetworkLab lab)
    {
        var scheduler = StartScheduler(lab);
        await scheduler.WaitForOutputAsync("listening on", Patience);
        var n1 = StartNode(lab, "n1");
        var n2 = StartNode(lab, "n2");
        await n1.WaitForOutputAsync("joined scheduler", Patience);
        await n2.WaitForOutputAsync("joined scheduler", Patience);
        return (scheduler, n1, n2);
    }

    /// <summary>Runs a task file from the client host and waits until the first result is in.</summary>
    private static async Task<LabProcess> StartRunAsync(NetworkLab lab, string tasks)
    {
        var client = lab.Start("client", "dotnet", Funcexec("run", tasks, "--scheduler", $"{lab["sched"].Address}:9700"), WithSecret);
        await client.WaitForOutputAsync("\"name\":\"t0\"", Patience);
        return client;
    }

    private static async Task<string> WriteTasksAsync(int count, int sleepMs, int retries)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("funcexec-multihost-").FullName, "tasks.yaml");
        await File.WriteAllLinesAsync(file, Enumerable.Range(0, count).SelectMany(i => new[]
        {
            $"- name: t{i}",
            $"  code: Thread.Sleep({sleepMs}); return {i};",
            $"  retries: {retries}",
        }));
        return file;
    }

    private static JsonElement[] Results(LabProcess client) =>
        [.. client.Output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement)];

    private static void AssertEveryResultOnce(JsonElement[] results, int count)
    {
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"t{i}"), results.Select(r => r.GetProperty("name").GetString()));
        Assert.All(results, r => Assert.Equal("succeeded", r.GetProperty("status").GetString()));
        Assert.Equal(Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), results.Select(r => r.GetProperty("result").GetRawText()));
    }

    [Fact]
    public async Task NodeKilledMidRun_ItsTasksRunOnTheOtherNode_EveryResultExactlyOnce()
    {
        using var lab = NetworkLab.Create("sched", "n1", "n2", "client");
        var (scheduler, n1, n2) = await StartClusterAsync(lab);
        using var _ = scheduler;
        using var __ = n1;
        using var ___ = n2;
        var tasks = await WriteTasksAsync(16, 400, retries: 1);

        using var client = await StartRunAsync(lab, tasks);
        n1.Kill();
        var exit = await client.WaitForExitAsync(Patience);

        Assert.True(exit == 0, client.Output + scheduler.Output);
        var results = Results(client);
        AssertEveryResultOnce(results, 16);
        Assert.Contains(results, r => r.GetProperty("attempts").GetInt32() == 2 && r.GetProperty("worker").GetString()!.StartsWith("n2/", StringComparison.Ordinal));
        Assert.Contains("node n1 lost", scheduler.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LinkCut_NodeLostAfterFivePulsesTasksRequeued_ThenItRejoinsAndGetsWork()
    {
        using var lab = NetworkLab.Create("sched", "n1", "n2", "client");
        var (scheduler, n1, n2) = await StartClusterAsync(lab);
        using var _ = scheduler;
        using var __ = n1;
        using var ___ = n2;
        var tasks = await WriteTasksAsync(12, 400, retries: 1);

        using var client = await StartRunAsync(lab, tasks);
        lab.CutLink("n1");
        await scheduler.WaitForOutputAsync("node n1 lost: no pulse from the node", Patience);
        Assert.Equal(0, await client.WaitForExitAsync(Patience));
        AssertEveryResultOnce(Results(client), 12);

        lab.RestoreLink("n1");
        await n1.WaitForOutputAsync("lost the scheduler", Patience);
        await WaitForCountAsync(n1, "joined scheduler", 2);
        var again = await WriteTasksAsync(6, 300, retries: 0);
        using var second = lab.Start("client", "dotnet", Funcexec("run", again, "--scheduler", $"{lab["sched"].Address}:9700"), WithSecret);
        Assert.Equal(0, await second.WaitForExitAsync(Patience));
        var results = Results(second);
        AssertEveryResultOnce(results, 6);
        Assert.Contains(results, r => r.GetProperty("worker").GetString()!.StartsWith("n1/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SchedulerRestarted_NodesReconnectWithBackoffAndRejoin()
    {
        using var lab = NetworkLab.Create("sched", "n1", "client");
        var scheduler = StartScheduler(lab);
        await scheduler.WaitForOutputAsync("listening on", Patience);
        using var n1 = StartNode(lab, "n1");
        await n1.WaitForOutputAsync("joined scheduler", Patience);

        scheduler.Kill();
        await n1.WaitForOutputAsync("trying again in", Patience);
        scheduler.Dispose();
        using var restarted = StartScheduler(lab);
        await WaitForCountAsync(n1, "joined scheduler", 2);

        var tasks = await WriteTasksAsync(3, 10, retries: 0);
        using var client = lab.Start("client", "dotnet", Funcexec("run", tasks, "--scheduler", $"{lab["sched"].Address}:9700"), WithSecret);
        Assert.Equal(0, await client.WaitForExitAsync(Patience));
        AssertEveryResultOnce(Results(client), 3);
    }

    [Fact]
    public async Task Node_WithoutSchedulerAddress_FindsItByUdpBroadcast()
    {
        using var lab = NetworkLab.Create("sched", "n1");
        using var scheduler = StartScheduler(lab);
        await scheduler.WaitForOutputAsync("listening on", Patience);

        using var n1 = StartNode(lab, "n1", discover: true);

        await n1.WaitForOutputAsync($"joined scheduler sched at {lab["sched"].Address}:9700", Patience);
        await scheduler.WaitForOutputAsync("node n1 joined", Patience);
    }

    [Fact]
    public async Task HostileAndMisconfiguredPeersOnOtherHosts_RefusedWithReasonsOnBothSides_GoodNodeStillServed()
    {
        using var lab = NetworkLab.Create("sched", "good", "wrongsecret", "plain", "oldversion", "garbage");
        var certs = Directory.CreateTempSubdirectory("funcexec-multihost-tls-").FullName;
        var (cert, key) = (Path.Combine(certs, "cert.pem"), Path.Combine(certs, "key.pem"));
        using (var openssl = lab.Start("sched", "openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-days", "1", "-subj", "/CN=funcexec", "-keyout", key, "-out", cert]))
        {
            Assert.Equal(0, await openssl.WaitForExitAsync(Patience));
        }

        var address = $"{lab["sched"].Address}:9700";
        using var scheduler = lab.Start("sched", "dotnet", Funcexec("scheduler", "--no-journal", "--secret", "right", "--certfile", cert, "--keyfile", key, "--pulse-interval", "0.2"));
        await scheduler.WaitForOutputAsync("listening on", Patience);

        using var wrongSecret = lab.Start("wrongsecret", "dotnet", Funcexec("node", "--scheduler", address, "-c", "1", "--secret", "wrong", "--certfile", cert));
        await wrongSecret.WaitForOutputAsync("does not know our secret", Patience);
        await scheduler.WaitForOutputAsync("does not know our secret", Patience);

        // Raw bytes from other hosts: a Hello of protocol version 99, a frame far over the cap, and
        // noise. Each closes only its own connection; the first is told why.
        const string Raw = "import socket, sys\ns = socket.create_connection((sys.argv[1], int(sys.argv[3])), timeout=10)\ns.sendall(bytes.fromhex(sys.argv[2]))\n"
            + "got = b''\ntry:\n    while (b := s.recv(4096)): got += b\nexcept OSError: pass\n"
            + "print('answer:', got.decode('utf-8', 'replace'), flush=True)\nprint('closed by scheduler', flush=True)";
        // 4-byte length, then ClusterEnvelope{hello: Hello{protocol_version: 99, role: CLIENT, name: "x", peer_nonce: 32 zero bytes}}.
        var helloV99 = "2b000000" + "0a29" + "0863" + "1002" + "1a0178" + "2220" + new string('0', 64);
        // Plain text from another host is refused, and told why.
        using (var plain = lab.Start("plain", "python3", ["-c", Raw, lab["sched"].Address, helloV99, "9700"]))
        {
            await plain.WaitForOutputAsync("closed by scheduler", Patience);
            Assert.Contains("requires TLS", plain.Output, StringComparison.Ordinal);
            await scheduler.WaitForOutputAsync("plain-text peer connected to this TLS scheduler", Patience);
        }

        // A node without --certfile uses TLS beyond loopback all the same, trusting the certificate the secret vouches for.
        using var unpinned = lab.Start("plain", "dotnet", Funcexec("node", "--scheduler", address, "-c", "1", "--secret", "right"));
        await unpinned.WaitForOutputAsync("joined scheduler", Patience);

        // Versions are compared after TLS, so that one goes to an --insecure scheduler beside the TLS
        // one, which takes plain text from anywhere (without a dashboard: the TLS one holds the
        // dashboard port on that host).
        using (var plainScheduler = lab.Start("sched", "dotnet", Funcexec("scheduler", "--port", "9701", "--udp-port", "0", "--no-dashboard", "--insecure")))
        {
            await plainScheduler.WaitForOutputAsync("listening on", Patience);
            using var tooNew = lab.Start("good", "python3", ["-c", Raw, lab["sched"].Address, helloV99, "9701"]);
            await tooNew.WaitForOutputAsync("closed by scheduler", Patience);
            Assert.Contains("protocol version 99", tooNew.Output, StringComparison.Ordinal);
            await plainScheduler.WaitForOutputAsync("99", Patience);
        }

        using (var oversized = lab.Start("oldversion", "python3", ["-c", Raw, lab["sched"].Address, "ffffff7f00", "9700"]))
        using (var noise = lab.Start("garbage", "python3", ["-c", Raw, lab["sched"].Address, string.Concat(Enumerable.Range(0, 512).Select(i => ((i * 37) % 256).ToString("x2", System.Globalization.CultureInfo.InvariantCulture))), "9700"]))
        {
            await oversized.WaitForOutputAsync("closed by scheduler", Patience);
            await noise.WaitForOutputAsync("closed by scheduler", Patience);
        }

        using var good = lab.Start("good", "dotnet", Funcexec("node", "--scheduler", address, "-c", "1", "--secret", "right", "--certfile", cert, "--keyfile", key));
        await good.WaitForOutputAsync("joined scheduler", Patience);
        var tasks = await WriteTasksAsync(3, 10, retries: 0);
        using var client = lab.Start("garbage", "dotnet", Funcexec("run", tasks, "--scheduler", address, "--secret", "right", "--certfile", cert));
        Assert.Equal(0, await client.WaitForExitAsync(Patience));
        AssertEveryResultOnce(Results(client), 3);
        Directory.Delete(certs, recursive: true);
    }

    private static async Task WaitForCountAsync(LabProcess process, string text, int times)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (process.Output.Split(text).Length - 1 < times)
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited for '{text}' x{times}:\n{process.Output}");
            await Task.Delay(50);
        }
    }
}
