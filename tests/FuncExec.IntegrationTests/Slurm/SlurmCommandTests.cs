using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using FuncExec.IntegrationTests.Network;
using Xunit.Abstractions;

namespace FuncExec.IntegrationTests.Slurm;

/// <summary>
/// <c>funcexec slurm up|status|down</c> against a real Slurm (<see cref="SlurmLab"/>): pilot jobs whose nodes
/// join a scheduler, run tasks, drain and leave; jobs Slurm refuses or keeps waiting; nodes that cannot
/// reach the scheduler; a node killed under its tasks; tasks per second through a pilot job's node against a
/// node started by hand on the same host.
/// </summary>
[Collection(SlurmLab.Collection)]
public sealed class SlurmCommandTests(SlurmLab slurm, ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("funcexec-slurm-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Logs => Path.Combine(_dir, "logs");

    private Task<LabProcess> FuncexecAsync(params string[] args) => slurm.FuncexecAsync(null, args);

    private static string JobIdOf(LabProcess up) =>
        Regex.Match(up.Output, @"(?m)^job (\d+): submitted").Groups[1] is { Success: true } id ? id.Value : throw new InvalidOperationException("no job id in: " + up.Output);

    private static string CommandLineOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return "";
        }
    }

    private async Task<JsonElement[]> RunTasksAsync(int count, string code)
    {
        var tasks = Path.Combine(_dir, $"tasks-{Guid.NewGuid():N}.yaml");
        await File.WriteAllLinesAsync(tasks, Enumerable.Range(0, count).SelectMany(i => new[] { $"- name: t{i}", $"  code: {code.Replace("{i}", i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)}", "  retries: 1" }));
        using var run = await FuncexecAsync("run", tasks, "--scheduler", slurm.SchedulerAddress);
        Assert.True(run.ExitCode == 0, run.Output);
        return [.. run.Output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement)];
    }

    [Fact]
    public async Task Up_TwoNodePilotJob_NodesJoinRunATaskFile_AndDownDrainsThemLeavingNoProcess()
    {
        using var up = await FuncexecAsync("slurm", "up", "--scheduler", slurm.SchedulerAddress, "--nodes", "2", "--time", "10:00", "--wait", "--log-dir", Logs);

        Assert.True(up.ExitCode == 0, up.Output + "\n" + slurm.Scheduler.Output);
        var job = JobIdOf(up);
        Assert.Matches($@"(?m)^joined: all 2 nodes of job {job} are in the scheduler at {Regex.Escape(slurm.SchedulerAddress)} \(n1-{job}, n2-{job}\), ", up.Output);
        // One node per host, each with the two cores Slurm gave the job there; the secret on no command line.
        foreach (var host in SlurmLab.ComputeHosts)
        {
            var pids = Ip.NamespacePids(slurm.Lab[host].Namespace).Where(Ip.RunsFuncexec).ToList();
            // srun's command line holds the node's too; the node is the process that dotnet runs funcexec.dll node in.
            Assert.Single(pids, pid => CommandLineOf(pid).Split('\0') is [var program, var dll, "node", ..]
                && Path.GetFileName(program) == "dotnet" && dll.EndsWith("/funcexec.dll", StringComparison.Ordinal));
            Assert.All(pids, pid => Assert.DoesNotContain("ecret", CommandLineOf(pid), StringComparison.Ordinal));
            Assert.Contains($"node {host}-{job}: starting 2 workers on cores 0-1", await File.ReadAllTextAsync(Path.Combine(Logs, $"pilot-{job}-{host}.log")), StringComparison.Ordinal);
        }

        using var status = await FuncexecAsync("slurm", "status");
        Assert.True(status.ExitCode == 0, status.Output);
        Assert.Contains($"job {job}: RUNNING, 2 nodes on n1, n2, partition lab, ", status.Output, StringComparison.Ordinal);
        Assert.Contains($"scheduler {slurm.SchedulerAddress}, log {Logs}/pilot-{job}.log", status.Output, StringComparison.Ordinal);
        Assert.Contains($"    node n2-{job}: log {Logs}/pilot-{job}-n2.log", status.Output, StringComparison.Ordinal);

        var results = await RunTasksAsync(8, "Thread.Sleep(200); return {i};");
        Assert.Equal(Enumerable.Range(0, 8).Select(i => i.ToString(CultureInfo.InvariantCulture)), results.Select(r => r.GetProperty("result").GetRawText()).Order(StringComparer.Ordinal));
        Assert.Contains(results, r => r.GetProperty("worker").GetString()!.StartsWith($"n1-{job}/", StringComparison.Ordinal));
        Assert.Contains(results, r => r.GetProperty("worker").GetString()!.StartsWith($"n2-{job}/", StringComparison.Ordinal));

        using var down = await FuncexecAsync("slurm", "down");

        Assert.True(down.ExitCode == 0, down.Output);
        Assert.Contains($"job {job}: its 2 nodes drained and left; the job ended (", down.Output, StringComparison.Ordinal);
        foreach (var host in SlurmLab.ComputeHosts)
        {
            // Each node drained (it told the scheduler it leaves) rather than being killed.
            Assert.Contains($"node {host}-{job}: drained; stopping", await File.ReadAllTextAsync(Path.Combine(Logs, $"pilot-{job}-{host}.log")), StringComparison.Ordinal);
            Assert.DoesNotContain(Ip.NamespacePids(slurm.Lab[host].Namespace), Ip.RunsFuncexec);
        }

        using var after = await FuncexecAsync("slurm", "status");
        Assert.True(after.ExitCode == 0, after.Output);
        Assert.DoesNotContain($"job {job}:", after.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_MoreNodesThanTheClusterHas_SaysPendingWithSqueuesReason_AndDownCancelsIt()
    {
        using var up = await FuncexecAsync("slurm", "up", "--scheduler", slurm.SchedulerAddress, "--nodes", "3", "--wait", "--wait-timeout", "3s", "--log-dir", Logs);

        Assert.True(up.ExitCode == 1, up.Output);
        var job = JobIdOf(up);
        Assert.Matches($@"slurm up: job {job} is still pending after .*: PartitionNodeLimit \(squeue's reason\); it stays queued: cancel it with funcexec slurm down {job}", up.Output);
        using var status = await FuncexecAsync("slurm", "status");
        Assert.Contains($"job {job}: PENDING (PartitionNodeLimit), 3 nodes, partition lab, ", status.Output, StringComparison.Ordinal);

        using var down = await FuncexecAsync("slurm", "down", job);

        Assert.True(down.ExitCode == 0, down.Output);
        Assert.Contains($"job {job}: cancelled (PENDING, PartitionNodeLimit)", down.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(job, await slurm.SlurmAsync("squeue", "--noheader", "--format=%i"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_WhatAUserGetsWrong_EachSaysWhat()
    {
        // A partition Slurm does not have: its own message.
        using var refused = await FuncexecAsync("slurm", "up", "--scheduler", slurm.SchedulerAddress, "--partition", "nope", "--log-dir", Logs);
        Assert.True(refused.ExitCode == 1, refused.Output);
        Assert.Contains("slurm up: Slurm refused the job: sbatch: error: invalid partition specified: nope", refused.Output, StringComparison.Ordinal);

        // No Slurm commands on the PATH (dotnet is found by its full path).
        var dotnet = SearchPath("dotnet");
        using var noSbatch = slurm.Lab.Start("ctl", dotnet, SlurmLab.Funcexec("slurm", "up", "--scheduler", slurm.SchedulerAddress), new Dictionary<string, string>(slurm.Environment) { ["PATH"] = _dir });
        Assert.Equal(2, await noSbatch.WaitForExitAsync(TimeSpan.FromSeconds(90)));
        Assert.Contains("slurm up: 'sbatch' is not on the PATH", noSbatch.Output, StringComparison.Ordinal);

        // The scheduler at an address the compute hosts cannot reach (their own loopback): the nodes' logs are named.
        using var unreachable = await FuncexecAsync("slurm", "up", "--scheduler", "127.0.0.1:9700", "--nodes", "1", "--wait", "--wait-timeout", "4s", "--log-dir", Logs);
        Assert.True(unreachable.ExitCode == 1, unreachable.Output);
        var job = JobIdOf(unreachable);
        Assert.Contains("warning: 127.0.0.1:9700 is a loopback address: each compute host will dial itself", unreachable.Output, StringComparison.Ordinal);
        Assert.Matches($@"slurm up: job {job} runs, but 1 node did not join the scheduler at 127\.0\.0\.1:9700 within .*: can the compute hosts reach it\? See their logs:", unreachable.Output);
        Assert.Matches($@"    n[12]: {Regex.Escape(Logs)}/pilot-{job}-n[12]\.log", unreachable.Output);
        using (var down = await FuncexecAsync("slurm", "down", job, "--grace", "20s"))
        {
            Assert.True(down.ExitCode == 0, down.Output);
        }

        // A node that cannot start: the job ends at once, and says so with its logs.
        using var early = await FuncexecAsync("slurm", "up", "--scheduler", slurm.SchedulerAddress, "--funcexec", "/nonexistent/funcexec", "--wait", "--wait-timeout", "60s", "--log-dir", Logs);
        Assert.True(early.ExitCode == 1, early.Output);
        var failed = JobIdOf(early);
        Assert.Matches($@"slurm up: job {failed} ended \([A-Z_]+.*\) before its nodes joined; its log: {Regex.Escape(Logs)}/pilot-{failed}\.log", early.Output);
        Assert.Contains("/nonexistent/funcexec", early.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KilledJobStep_EndsItsNode_AndTheTasksItRanAreRequeuedOnTheOther()
    {
        // Two pilot jobs of one whole host each (--exclusive): one on n1, one on n2.
        var ups = await Task.WhenAll(
            FuncexecAsync("slurm", "up", "--scheduler", slurm.SchedulerAddress, "--wait", "--log-dir", Logs),
            FuncexecAsync("slurm", "up", "--scheduler", slurm.SchedulerAddress, "--wait", "--log-dir", Logs));
        using var first = ups[0];
        using var second = ups[1];
        Assert.True(first.ExitCode == 0 && second.ExitCode == 0, first.Output + second.Output);
        var (keep, kill) = (JobIdOf(first), JobIdOf(second));

        var tasks = Path.Combine(_dir, "long.yaml");
        await File.WriteAllLinesAsync(tasks, Enumerable.Range(0, 4).SelectMany(i => new[] { $"- name: t{i}", "  code: Thread.Sleep(4000); return Environment.ProcessId;", "  retries: 1" }));
        using var run = slurm.Lab.Start("ctl", "dotnet", SlurmLab.Funcexec("run", tasks, "--scheduler", slurm.SchedulerAddress), slurm.Environment);
        // Every worker of both nodes holds a task before the step is killed.
        while (true)
        {
            using var state = await FuncexecAsync("status", "--scheduler", slurm.SchedulerAddress, "--json");
            using var json = JsonDocument.Parse(state.Output[state.Output.IndexOf('{', StringComparison.Ordinal)..]);
            if (json.RootElement.GetProperty("running").GetArrayLength() == 4)
            {
                break;
            }

            Assert.False(run.HasExited, run.Output);
        }

        await slurm.SlurmAsync("scancel", "--signal=KILL", $"{kill}.0");

        Assert.Equal(0, await run.WaitForExitAsync(TimeSpan.FromSeconds(90)));
        var results = run.Output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(4, results.Length);
        Assert.All(results, r => Assert.Equal("succeeded", r.GetProperty("status").GetString()));
        Assert.All(results, r => Assert.Contains($"-{keep}/worker-", r.GetProperty("worker").GetString(), StringComparison.Ordinal));
        Assert.Equal(2, results.Count(r => r.GetProperty("attempts").GetInt32() == 2));
        await slurm.Scheduler.WaitForOutputAsync($"-{kill} lost", TimeSpan.FromSeconds(30));

        using var down = await FuncexecAsync("slurm", "down");
        Assert.True(down.ExitCode == 0, down.Output);
        foreach (var host in SlurmLab.ComputeHosts)
        {
            Assert.DoesNotContain(Ip.NamespacePids(slurm.Lab[host].Namespace), Ip.RunsFuncexec);
        }
    }

    [Fact]
    public async Task TasksPerSecond_ThroughAPilotJobsNode_AndThroughANodeStartedByHandOnTheSameHost()
    {
        // The same file of no-op tasks through each node: first one that slurm up started, then one started by hand
        // in the same host's namespace with the same two workers (pinned to cores 0-1, as Slurm's affinity mask gives).
        const int Count = 2000;
        var tasks = Path.Combine(_dir, "noop.yaml");
        await File.WriteAllLinesAsync(tasks, Enumerable.Range(0, Count).SelectMany(i => new[] { $"- name: t{i}", "  code: return 0;", "  retries: 1" }));

        async Task<double> RunTimedAsync(string node)
        {
            var clock = Stopwatch.StartNew();
            using var run = await FuncexecAsync("run", tasks, "--scheduler", slurm.SchedulerAddress);
            var seconds = clock.Elapsed.TotalSeconds;
            Assert.True(run.ExitCode == 0, run.Output);
            var results = run.Output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
            Assert.Equal(Count, results.Length);
            Assert.All(results, r => Assert.Equal("succeeded", r.GetProperty("status").GetString()));
            Assert.All(results, r => Assert.StartsWith(node + "/", r.GetProperty("worker").GetString(), StringComparison.Ordinal));
            Assert.Equal(Count, results.Select(r => r.GetProperty("name").GetString()).Distinct(StringComparer.Ordinal).Count());
            return Count / seconds;
        }

        using var up = await FuncexecAsync("slurm", "up", "--scheduler", slurm.SchedulerAddress, "--nodes", "1", "--wait", "--log-dir", Logs);
        Assert.True(up.ExitCode == 0, up.Output + "\n" + slurm.Scheduler.Output);
        var job = JobIdOf(up);
        // The time from sbatch to the node joined, as slurm up --wait reports it.
        output.WriteLine(up.Output.Split('\n').FirstOrDefault(l => l.StartsWith("joined:", StringComparison.Ordinal)) ?? up.Output);
        var host = Regex.Match(up.Output, $@"\((n[12])-{job}\)").Groups[1].Value;
        Assert.Contains(host, SlurmLab.ComputeHosts);
        Assert.Contains($"node {host}-{job}: starting 2 workers on cores 0-1", await File.ReadAllTextAsync(Path.Combine(Logs, $"pilot-{job}-{host}.log")), StringComparison.Ordinal);
        // Each node runs the file once before it is timed: its workers' first tasks (start-up, the code's first load) are
        // not what is compared.
        await RunTimedAsync($"{host}-{job}");
        var viaSlurm = await RunTimedAsync($"{host}-{job}");
        using (var down = await FuncexecAsync("slurm", "down"))
        {
            Assert.True(down.ExitCode == 0, down.Output);
        }

        Assert.DoesNotContain(Ip.NamespacePids(slurm.Lab[host].Namespace), Ip.RunsFuncexec);

        var name = $"{host}-hand";
        using var node = slurm.Lab.Start(host, "dotnet", SlurmLab.Funcexec("node", "--scheduler", slurm.SchedulerAddress, "--cpus", "2", "--name", name), slurm.Environment);
        await node.WaitForOutputAsync($"node {name}: joined scheduler", TimeSpan.FromSeconds(90));
        Assert.Contains($"node {name}: starting 2 workers on cores 0-1", node.Output, StringComparison.Ordinal);
        await RunTimedAsync(name);
        var byHand = await RunTimedAsync(name);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"tasks per second, {Count} no-op tasks on one node of 2 workers on {host}: through a Slurm pilot job {viaSlurm:0} tasks/s, "
            + $"started by hand {byHand:0} tasks/s, ratio Slurm/hand {viaSlurm / byHand:0.00} (each time is funcexec run's, start-up included)"));

        // SIGTERM, as the pilot job's drain sends: the node drains and leaves, its workers with it.
        using (var term = Process.Start("kill", ["-TERM", node.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        await node.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var deadline = Stopwatch.StartNew();
        while (Ip.NamespacePids(slurm.Lab[host].Namespace).Any(Ip.RunsFuncexec) && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
        }

        Assert.DoesNotContain(Ip.NamespacePids(slurm.Lab[host].Namespace), Ip.RunsFuncexec);
    }

    private static string SearchPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"{program} is not on the PATH");
}
