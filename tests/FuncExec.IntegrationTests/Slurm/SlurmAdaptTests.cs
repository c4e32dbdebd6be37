using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using FuncExec.IntegrationTests.Network;
using Xunit.Abstractions;

namespace FuncExec.IntegrationTests.Slurm;

/// <summary>
/// <see cref="SlurmCluster"/> from C# against a real Slurm (<see cref="SlurmLab"/>): a user's program on the lab's login
/// host (<c>tests/FuncExec.SlurmUser</c>) scales pilot jobs by hand, adapts them to a queue of long tasks and back,
/// and meets what goes wrong; the scheduler shows every decision.
/// </summary>
[Collection(SlurmLab.Collection)]
public sealed class SlurmAdaptTests(SlurmLab slurm, ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);
    private readonly string _dir = Directory.CreateTempSubdirectory("funcexec-slurm-adapt-").FullName;
    private int _command;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Logs => Path.Combine(_dir, "logs");

    private async Task<LabProcess> StartUserAsync(IDictionary<string, string>? env = null, params string[] settings)
    {
        var environment = slurm.Environment;
        foreach (var (name, value) in env ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        var dotnet = SearchPath("dotnet");
        var user = slurm.Lab.Start("ctl", dotnet, [
            BuiltProgram.AssemblyOf("tests/FuncExec.SlurmUser"),
            $"scheduler={slurm.SchedulerAddress}", $"funcexec={Path.Combine(AppContext.BaseDirectory, "funcexec.dll")}", $"logs={Logs}", .. settings], environment);
        var first = await Task.WhenAny(user.WaitForOutputAsync("started", Patience), user.WaitForOutputAsync("error: ", Patience));
        _ = await first;
        return user;
    }

    /// <summary>Sends one command to the user's program and returns its answer.</summary>
    private async Task<string> AskAsync(LabProcess user, string command)
    {
        var n = Interlocked.Increment(ref _command);
        await user.WriteLineAsync($"{n} {command}");
        var line = await user.WaitForOutputAsync($"#{n} ", Patience);
        return line[(line.IndexOf($"#{n} ", StringComparison.Ordinal) + $"#{n} ".Length)..];
    }

    private async Task<JsonElement[]> JobsAsync(LabProcess user)
    {
        var answer = await AskAsync(user, "jobs");
        Assert.StartsWith("[", answer, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(answer);
        return [.. json.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    private async Task<JsonElement> StatusAsync()
    {
        using var state = await slurm.FuncexecAsync(null, "status", "--scheduler", slurm.SchedulerAddress, "--json");
        Assert.True(state.ExitCode == 0, state.Output);
        using var json = JsonDocument.Parse(state.Output[state.Output.IndexOf('{', StringComparison.Ordinal)..]);
        return json.RootElement.Clone();
    }

    /// <summary>The scheduler's nodes that pilot jobs started (named HOST-JOBID).</summary>
    private static string[] PilotNodes(JsonElement status) =>
        status.TryGetProperty("nodes", out var nodes)
            ? [.. nodes.EnumerateArray().Select(n => n.GetProperty("name").GetString()!).Where(n => Regex.IsMatch(n, @"^n[12]-\d+$")).Order(StringComparer.Ordinal)]
            : [];

    private static string[] ScalingNotes(JsonElement status) =>
        status.TryGetProperty("scaling", out var notes) ? [.. notes.EnumerateArray().Select(n => n.GetProperty("text").GetString()!)] : [];

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > Patience)
            {
                throw new TimeoutException($"not within {Patience.TotalSeconds:0} s: {what}");
            }

            await Task.Delay(250);
        }
    }

    private void AssertNoNodeProcessLeft()
    {
        foreach (var host in SlurmLab.ComputeHosts)
        {
            Assert.DoesNotContain(Ip.NamespacePids(slurm.Lab[host].Namespace), Ip.RunsFuncexec);
        }
    }

    [Fact]
    public async Task AdaptAsync_QueueOfLongTasks_ScalesFromZeroToTheMaximum_ThenBackToTheMinimumOnceIdle_AndTheSchedulerShowsEachDecision()
    {
        using var user = await StartUserAsync(null, "idle=5", "interval=1", "cpus=2");
        Assert.Contains("started", user.Output, StringComparison.Ordinal);
        Assert.Equal("ok", await AskAsync(user, "adapt 0 2"));
        Assert.Empty(await JobsAsync(user)); // no work, minimum 0: no job

        // Twelve tasks of 4 s, one core each: 12 cores of work, more than the 2 nodes of 2 cores can take at once.
        var tasks = Path.Combine(_dir, "long.yaml");
        await File.WriteAllLinesAsync(tasks, Enumerable.Range(0, 12).SelectMany(i => new[] { $"- name: t{i}", "  code: Thread.Sleep(4000); return Environment.ProcessId;", "  retries: 0" }));
        var queued = Stopwatch.StartNew();
        var submittedAt = DateTimeOffset.UtcNow;
        using var run = slurm.Lab.Start("ctl", "dotnet", SlurmLab.Funcexec("run", tasks, "--scheduler", slurm.SchedulerAddress), slurm.Environment);

        string[] nodes = [];
        await UntilAsync(async () => (nodes = PilotNodes(await StatusAsync())).Length == 2 || run.HasExited, "two pilot nodes joined");
        var joined = queued.Elapsed;
        Assert.Equal(2, nodes.Length);
        // The decision's time is the scheduler's (same machine, same clock): the rest is Slurm and the nodes starting.
        var decided = (await StatusAsync()).GetProperty("scaling").EnumerateArray()
            .Where(n => n.GetProperty("text").GetString()!.Contains("to 2 nodes, adapting", StringComparison.Ordinal))
            .Select(n => DateTimeOffset.FromUnixTimeMilliseconds(n.GetProperty("timeUnixUs").GetInt64() / 1000)).Last();
        output.WriteLine($"adaptive scale-up: 0 -> 2 nodes joined {joined.TotalSeconds:0.0} s after the queue of 12 tasks was submitted "
            + $"(funcexec run started; the decision to go to 2 came {(decided - submittedAt).TotalSeconds:0.0} s after, "
            + $"the nodes joined {(submittedAt + joined - decided).TotalSeconds:0.0} s after the decision; status polled about every second)");

        Assert.Equal(0, await run.WaitForExitAsync(Patience));
        var results = run.Output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(12, results.Length);
        Assert.All(results, r => Assert.Equal("succeeded", r.GetProperty("status").GetString()));
        Assert.All(results, r => Assert.Matches(@"^n[12]-\d+/", r.GetProperty("worker").GetString()));

        // Idle for 5 s, the nodes drain and leave, and their jobs end: back to the minimum, 0.
        await UntilAsync(async () => PilotNodes(await StatusAsync()).Length == 0 && (await JobsAsync(user)).Length == 0, "the pilot nodes gone, and their jobs");
        AssertNoNodeProcessLeft();

        var notes = ScalingNotes(await StatusAsync());
        // Twelve cores queued, two a node: straight to the maximum (from 1 if the first round saw part of the queue).
        Assert.Contains(notes, n => Regex.IsMatch(n, @"^scale up from [01] to 2 nodes, adapting \(min 0, max 2\): \d+ cores queued, \d+ busy, 2 a node; submitted jobs? \d+"));
        Assert.Contains(notes, n => n.StartsWith("scale down from ", StringComparison.Ordinal) && n.Contains("draining idle node n", StringComparison.Ordinal));
        using var text = await slurm.FuncexecAsync(null, "status", "--scheduler", slurm.SchedulerAddress);
        Assert.Matches(@"scaling \d\d:\d\d:\d\d \(.+\): scale up from [01] to 2 nodes", text.Output);
        Assert.Contains("log Information 530: scaling (target 2 nodes): scale up from ", user.Output, StringComparison.Ordinal);
        await slurm.Scheduler.WaitForOutputAsync("scale down from ", Patience);

        Assert.Equal("ok", await AskAsync(user, "dispose"));
        Assert.Equal(0, await user.WaitForExitAsync(Patience));
    }

    [Fact]
    public async Task ScaleAsync_UpToTwo_DownToOne_PendingThird_AndToZero_CancelsQueuedFirstThenDrains()
    {
        using var user = await StartUserAsync(null, "interval=1");

        Assert.Equal("ok", await AskAsync(user, "scale 2"));
        Assert.Equal("ok", await AskAsync(user, "wait 2 150"));
        var jobs = await JobsAsync(user);
        Assert.Equal(2, jobs.Length);
        Assert.All(jobs, j => Assert.Equal("RUNNING", j.GetProperty("State").GetString()));
        Assert.All(jobs, j => Assert.True(j.GetProperty("Joined").GetBoolean()));
        Assert.Equal(jobs.Select(j => j.GetProperty("Node").GetString()).Order(StringComparer.Ordinal), PilotNodes(await StatusAsync()));

        Assert.Equal("ok", await AskAsync(user, "scale 1"));
        await UntilAsync(async () => PilotNodes(await StatusAsync()).Length == 1 && (await JobsAsync(user)).Length == 1, "one node left");
        var left = PilotNodes(await StatusAsync());
        var gone = jobs.Single(j => !left.Contains(j.GetProperty("Node").GetString()));
        Assert.Contains($"node {gone.GetProperty("Node").GetString()}: drained; stopping",
            await File.ReadAllTextAsync(Path.Combine(Logs, $"pilot-{gone.GetProperty("Id").GetString()}-{gone.GetProperty("Host").GetString()}.log")), StringComparison.Ordinal);

        // Three nodes on a cluster with two hosts (whole hosts each): the third waits, and says why.
        Assert.Equal("ok", await AskAsync(user, "scale 3"));
        var waited = await AskAsync(user, "wait 3 3");
        Assert.Matches(@"^error: PilotJobException: job \d+ is still pending after .* waiting for 3 nodes: (Resources|Priority|PENDING) \(squeue's reason\)$", waited);

        Assert.Equal("ok", await AskAsync(user, "scale 0"));
        await UntilAsync(async () => PilotNodes(await StatusAsync()).Length == 0 && (await JobsAsync(user)).Length == 0, "no node, no job");
        AssertNoNodeProcessLeft();
        var notes = ScalingNotes(await StatusAsync());
        Assert.Contains(notes, n => n.StartsWith("scale up from 0 to 2 nodes, asked for: ", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("scale down from 2 to 1 node, asked for: ", StringComparison.Ordinal) && n.Contains("draining idle node", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("scale down from 3 to 0 nodes, asked for: ", StringComparison.Ordinal)
            && Regex.IsMatch(n, @"cancelled queued job \d+ \((Resources|Priority)\)") && n.Contains("draining idle node", StringComparison.Ordinal));

        Assert.Equal("ok", await AskAsync(user, "dispose"));
        Assert.Equal(0, await user.WaitForExitAsync(Patience));
    }

    [Fact]
    public async Task SlurmCluster_WhatGoesWrong_EachSaysWhat()
    {
        // No Slurm commands on the PATH.
        using (var noSlurm = await StartUserAsync(new Dictionary<string, string> { ["PATH"] = _dir }))
        {
            Assert.Equal(1, await noSlurm.WaitForExitAsync(Patience));
            Assert.Contains("error: PilotLauncherMissingException: 'sbatch' is not on the PATH", noSlurm.Output, StringComparison.Ordinal);
        }

        // A partition Slurm does not have: its own words.
        using (var refused = await StartUserAsync(null, "partition=nope"))
        {
            Assert.Matches(@"^error: PilotRefusedException: Slurm refused the job: sbatch: error: invalid partition specified: nope", await AskAsync(refused, "scale 1"));
            Assert.Equal("ok", await AskAsync(refused, "dispose"));
        }

        // A node that cannot start: the job ends at once, and the wait says so with its log.
        using var early = await StartUserAsync(new Dictionary<string, string>(), "funcexec=/nonexistent/funcexec.dll");
        Assert.Equal("ok", await AskAsync(early, "scale 1"));
        var failed = await AskAsync(early, "wait 1 120");
        Assert.Matches($@"^error: PilotJobException: job (\d+) ended \([A-Z_]+.*\) before its node joined the scheduler at {Regex.Escape(slurm.SchedulerAddress)}; its log: {Regex.Escape(Logs)}/pilot-\d+\.log$", failed);
        Assert.Equal("ok", await AskAsync(early, "dispose"));
        Assert.Equal(0, await early.WaitForExitAsync(Patience));
    }

    [Fact]
    public async Task PilotJob_NearItsTimeLimit_ItsNodeDrains_AndTheTaskItRanIsRequeuedWithoutAnAttempt()
    {
        // A 2-minute job told to drain 60 s before its end (Slurm sends the signal up to a minute early): the node
        // drains for 50 s, then leaves, its task still running.
        using var user = await StartUserAsync(null, "interval=1", "time=00:02:00", "margin=60");
        Assert.Equal("ok", await AskAsync(user, "scale 1"));
        Assert.Equal("ok", await AskAsync(user, "wait 1 150"));
        var job = (await JobsAsync(user)).Single();
        var node = job.GetProperty("Node").GetString()!;

        // One task with no retries, which runs until a file appears: it holds its worker past the drain.
        var go = Path.Combine(_dir, "go");
        var tasks = Path.Combine(_dir, "blocked.yaml");
        await File.WriteAllLinesAsync(tasks, ["- name: blocked", $"  code: while (!File.Exists(\"{go}\")) Thread.Sleep(100); return Environment.ProcessId;", "  retries: 0"]);
        using var run = slurm.Lab.Start("ctl", "dotnet", SlurmLab.Funcexec("run", tasks, "--scheduler", slurm.SchedulerAddress), slurm.Environment);
        await UntilAsync(async () => (await StatusAsync()).GetProperty("running").GetArrayLength() == 1 || run.HasExited, "the task running");
        Assert.False(run.HasExited, run.Output);

        await slurm.Scheduler.WaitForOutputAsync($"node {node} drained and left", Patience);
        var log = await File.ReadAllTextAsync(Path.Combine(Logs, $"pilot-{job.GetProperty("Id").GetString()}-{job.GetProperty("Host").GetString()}.log"));
        Assert.Contains("1 task(s) still running after the drain; killing them", log, StringComparison.Ordinal);
        await UntilAsync(async () => (await StatusAsync()) is var status && status.GetProperty("queued").GetInt32() == 1 && PilotNodes(status).Length == 0, "the task queued again, no node");
        Assert.Contains("telling the nodes to drain", await File.ReadAllTextAsync(Path.Combine(Logs, $"pilot-{job.GetProperty("Id").GetString()}.log")), StringComparison.Ordinal);

        // A new node takes it: with no retries, it still succeeds, on its first attempt.
        await File.WriteAllTextAsync(go, "");
        await UntilAsync(async () => (await JobsAsync(user)).Length == 0, "the first job over");
        Assert.Equal("ok", await AskAsync(user, "scale 1"));
        Assert.Equal(0, await run.WaitForExitAsync(Patience));
        var result = JsonDocument.Parse(run.Output.Split('\n').Single(l => l.StartsWith('{'))).RootElement;
        Assert.Equal("succeeded", result.GetProperty("status").GetString());
        Assert.Equal(1, result.GetProperty("attempts").GetInt32());
        Assert.DoesNotContain(node + "/", result.GetProperty("worker").GetString(), StringComparison.Ordinal);

        Assert.Equal("ok", await AskAsync(user, "dispose"));
        Assert.Equal(0, await user.WaitForExitAsync(Patience));
        AssertNoNodeProcessLeft();
    }

    private static string SearchPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"{program} is not on the PATH");
}
