using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using FuncExec.IntegrationTests.Network;

namespace FuncExec.IntegrationTests.Distributed;

/// <summary>
/// <c>funcexec cluster up|status|down</c> against real sshd servers in lab hosts: nodes started over
/// ssh join a scheduler on another host, run tasks, and stop; hosts that cannot take a node say why.
/// </summary>
public sealed class ClusterCommandTests : IDisposable
{
    private const string Secret = "it's the cluster $ecret";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private readonly string _dir = Directory.CreateTempSubdirectory("funcexec-cluster-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static IEnumerable<string> Funcexec(params string[] args) => ["exec", Path.Combine(AppContext.BaseDirectory, "funcexec.dll"), .. args];

    private static Dictionary<string, string> WithSecret => new() { ["FUNCEXEC_SECRET"] = Secret };

    private string WriteHostsFile(LabSsh ssh, params string[] hostLines)
    {
        var path = Path.Combine(_dir, "hosts");
        File.WriteAllLines(path, [$"-F {ssh.ClientConfig} --identity {ssh.ClientKey} --remote-dir {_dir}/remote -c 1", .. hostLines]);
        return path;
    }

    private static async Task<LabProcess> RunToEndAsync(NetworkLab lab, string host, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var process = lab.Start(host, "dotnet", args, env);
        await process.WaitForExitAsync(Patience);
        return process;
    }

    private static int PidOf(LabProcess process, string node) =>
        int.Parse(new Regex($"^{Regex.Escape(node)} \\(.*\\): (?:started|running), pid (\\d+)", RegexOptions.Multiline).Match(process.Output).Groups[1].Value, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Up_TwoHostsOverSshWithInstallAndTls_NodesJoinAndRunTasks_ThenDownStopsEveryProcess()
    {
        using var lab = NetworkLab.Create("sched", "h1", "h2");
        using var ssh = await LabSsh.CreateAsync();
        using var sshd1 = await ssh.StartServerAsync(lab, "h1");
        using var sshd2 = await ssh.StartServerAsync(lab, "h2");
        var (cert, key) = (Path.Combine(_dir, "cert.pem"), Path.Combine(_dir, "key.pem"));
        using (var openssl = lab.Start("sched", "openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-days", "1", "-subj", "/CN=funcexec", "-keyout", key, "-out", cert]))
        {
            Assert.Equal(0, await openssl.WaitForExitAsync(Patience));
        }

        using var scheduler = lab.Start("sched", "dotnet", Funcexec("scheduler", "--no-journal", "--pulse-interval", "0.2", "--name", "sched", "--certfile", cert, "--keyfile", key), WithSecret);
        await scheduler.WaitForOutputAsync("listening on", Patience);
        var hosts = WriteHostsFile(ssh, $"root@{lab["h1"].Address}:{LabSsh.Port} --name h1", $"root@{lab["h2"].Address}:{LabSsh.Port} --name h2");

        // No --scheduler: the nodes dial this host (sched) at the address they see the ssh connection come from.
        using var up = await RunToEndAsync(lab, "sched", Funcexec("cluster", "up", hosts, "--install", "--wait", "--certfile", cert), WithSecret);

        Assert.True(up.ExitCode == 0, up.Output + "\n" + scheduler.Output);
        Assert.Matches($@"(?m)^h1 \(root@{Regex.Escape(lab["h1"].Address)}:2222\): started, pid \d+, log {Regex.Escape(_dir)}/remote/node-h1\.log$", up.Output);
        Assert.Matches(@"(?m)^h2 \(.*\): started, pid \d+", up.Output);
        Assert.Matches($@"installed this build \(.* MiB\) in {Regex.Escape(_dir)}/remote/\d+\.\d+\.\d+-[0-9a-f]{{12}}", up.Output);
        Assert.Contains($"joined: all 2 nodes are in the scheduler at {lab["sched"].Address}:9700", up.Output, StringComparison.Ordinal);
        var pids = new[] { PidOf(up, "h1"), PidOf(up, "h2") };
        // The secret reached the nodes (they joined), but not through their command lines.
        Assert.All(pids, pid => Assert.DoesNotContain("ecret", File.ReadAllText($"/proc/{pid}/cmdline"), StringComparison.Ordinal));
        Assert.All(pids, pid => Assert.Contains($"{_dir}/remote/", File.ReadAllText($"/proc/{pid}/cmdline"), StringComparison.Ordinal));

        var tasks = Path.Combine(_dir, "tasks.yaml");
        await File.WriteAllLinesAsync(tasks, Enumerable.Range(0, 8).SelectMany(i => new[] { $"- name: t{i}", $"  code: Thread.Sleep(300); return {i};" }));
        using var run = await RunToEndAsync(lab, "sched", Funcexec("run", tasks, "--scheduler", $"{lab["sched"].Address}:9700", "--certfile", cert), WithSecret);
        Assert.True(run.ExitCode == 0, run.Output);
        var results = run.Output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(Enumerable.Range(0, 8).Select(i => i.ToString(CultureInfo.InvariantCulture)), results.Select(r => r.GetProperty("result").GetRawText()));
        Assert.Contains(results, r => r.GetProperty("worker").GetString()!.StartsWith("h1/", StringComparison.Ordinal));
        Assert.Contains(results, r => r.GetProperty("worker").GetString()!.StartsWith("h2/", StringComparison.Ordinal));

        using var status = await RunToEndAsync(lab, "sched", Funcexec("cluster", "status", hosts));
        Assert.True(status.ExitCode == 0, status.Output);
        Assert.Contains($"h1 (root@{lab["h1"].Address}:2222): running, pid {pids[0]}, log {_dir}/remote/node-h1.log", status.Output, StringComparison.Ordinal);
        Assert.Contains("node h2: joined scheduler sched", status.Output, StringComparison.Ordinal);

        // Started again: nothing new starts.
        using var again = await RunToEndAsync(lab, "sched", Funcexec("cluster", "up", hosts), WithSecret);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains($"h1 (root@{lab["h1"].Address}:2222): already running, pid {pids[0]}", again.Output, StringComparison.Ordinal);

        using var down = await RunToEndAsync(lab, "sched", Funcexec("cluster", "down", hosts));

        Assert.True(down.ExitCode == 0, down.Output);
        Assert.Contains($"h1 (root@{lab["h1"].Address}:2222): stopped, pid {pids[0]}", down.Output, StringComparison.Ordinal);
        Assert.Contains($"h2 (root@{lab["h2"].Address}:2222): stopped, pid {pids[1]}", down.Output, StringComparison.Ordinal);
        // The nodes and their workers are gone; only sshd is left in those hosts.
        foreach (var host in new[] { "h1", "h2" })
        {
            Assert.DoesNotContain(Ip.NamespacePids(lab[host].Namespace), Ip.RunsFuncexec);
        }

        // Stopped with SIGTERM, the node drained: it left rather than being lost.
        await scheduler.WaitForOutputAsync("node h1 drained and left", Patience);
        using var after = await RunToEndAsync(lab, "sched", Funcexec("cluster", "status", hosts));
        Assert.Equal(1, after.ExitCode);
        Assert.Contains("h1 (root@", after.Output, StringComparison.Ordinal);
        Assert.Contains("): not running, log ", after.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_UnreachableWrongKeyNoDotnetNoFuncexec_EachFailsWithItsReason_GoodHostStillStarts()
    {
        using var lab = NetworkLab.Create("sched", "h1", "dark", "cut");
        using var ssh = await LabSsh.CreateAsync();
        using var sshd = await ssh.StartServerAsync(lab, "h1");
        using var sshdCut = await ssh.StartServerAsync(lab, "cut");
        lab.CutLink("cut");
        using var scheduler = lab.Start("sched", "dotnet", Funcexec("scheduler", "--no-journal", "--pulse-interval", "0.2", "--name", "sched"));
        await scheduler.WaitForOutputAsync("listening on", Patience);
        var h1 = $"root@{lab["h1"].Address}:{LabSsh.Port}";
        var hosts = WriteHostsFile(
            ssh,
            $"{h1} --name good",
            $"root@{lab["dark"].Address}:{LabSsh.Port} --name refused",
            $"root@{lab["cut"].Address}:{LabSsh.Port} --name cut -o ConnectTimeout=2",
            $"{h1} --name wrongkey --identity {ssh.WrongKey}",
            $"{h1} --name nodotnet --dotnet /opt/none/dotnet",
            $"{h1} --name nofuncexec --funcexec /opt/none/funcexec.dll");

        using var up = await RunToEndAsync(lab, "sched", Funcexec("cluster", "up", hosts, "--scheduler", $"{lab["sched"].Address}:9700"));

        Assert.True(up.ExitCode == 1, up.Output);
        Assert.Matches(@"(?m)^good \(.*\): started, pid \d+", up.Output);
        Assert.Contains($"refused (root@{lab["dark"].Address}:2222): failed: unreachable (ssh: connect to host {lab["dark"].Address} port 2222: Connection refused)", up.Output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^cut \(.*\): failed: unreachable \(", up.Output);
        Assert.Contains($"wrongkey ({h1}): failed: authentication refused (root@{lab["h1"].Address}: Permission denied (publickey).)", up.Output, StringComparison.Ordinal);
        Assert.Contains($"nodotnet ({h1}): failed: /opt/none/dotnet (--dotnet) is not a program on the host", up.Output, StringComparison.Ordinal);
        Assert.Contains($"nofuncexec ({h1}): failed: /opt/none/funcexec.dll (--funcexec) is not on the host", up.Output, StringComparison.Ordinal);
        await scheduler.WaitForOutputAsync("node good joined", Patience);

        using var down = await RunToEndAsync(lab, "sched", Funcexec("cluster", "down", hosts, "--grace", "5"));
        Assert.True(down.ExitCode == 1, down.Output);
        Assert.Matches(@"(?m)^good \(.*\): stopped, pid \d+", down.Output);
        Assert.Matches(@"(?m)^nodotnet \(.*\): was not running", down.Output);
        Assert.Matches(@"(?m)^wrongkey \(.*\): failed: authentication refused", down.Output);
        Assert.DoesNotContain(Ip.NamespacePids(lab["h1"].Namespace), Ip.RunsFuncexec);
    }

    [Theory]
    [InlineData("node1\nnode2 -c many\n", "hosts:2:7: '-c' takes a number of workers")]
    [InlineData("-c 2\nnode1 --cores 2\n", "hosts:2:7: unknown option '--cores'")]
    [InlineData("# no hosts\n", "hosts: no hosts in it")]
    public async Task Up_MalformedHostsFile_Exits2NamingFileLineAndColumn(string text, string expected)
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "hosts"), text);

        var (exit, stdout, stderr) = await FuncExec.IntegrationTests.Funcexec.RunAsync("cluster", "up", Path.Combine(_dir, "hosts"));

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.StartsWith(Path.Combine(_dir, expected), stderr, StringComparison.Ordinal);
    }
}
