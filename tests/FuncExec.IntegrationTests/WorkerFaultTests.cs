using FuncExec.Client;
using FuncExec.Core.Tasks;
using static FuncExec.IntegrationTests.Tasks;

namespace FuncExec.IntegrationTests;

/// <summary>Tasks that kill or hang their worker: each test has its own cluster.</summary>
public sealed class WorkerFaultTests
{
    [Fact]
    public async Task RunAsync_TaskExitsItsProcess_FailsAndWorkerIsReplacedOnTheSameCore()
    {
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 2 });
        var before = cluster.WorkerPids.ToArray();
        TaskSpec[] tasks = [Code("exit", "Environment.Exit(3); return 0;"), .. Enumerable.Range(0, 20).Select(i => Method($"abs-{i}", "System.Math.Abs", -i))];

        var reports = await cluster.RunAsync(tasks);

        Assert.Equal(TaskState.Failed, reports[0].State);
        Assert.Contains("worker exited with code 3", reports[0].Error!.Message, StringComparison.Ordinal);
        Assert.All(reports.Skip(1), r => Assert.Equal(TaskState.Succeeded, r.State));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), reports.Skip(1).Select(r => r.ResultJson));
        var crashed = int.Parse(reports[0].Worker!.Split("worker-")[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(await EventuallyAsync(() => cluster.WorkerPids[crashed] != 0 && cluster.WorkerPids[crashed] != before[crashed]));
        Assert.Equal(cluster.WorkerCores[crashed].ToString(System.Globalization.CultureInfo.InvariantCulture), CpusAllowed(cluster.WorkerPids[crashed]));
        var after = await cluster.RunAsync(Method("after", "System.Math.Max", 1, 5));
        Assert.Equal("5", after.ResultJson);
    }

    [Fact]
    public async Task RunAsync_StackOverflow_FailsWithWorkerExitAndOthersFinish()
    {
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 2 });

        var reports = await cluster.RunAsync(
        [
            Code("overflow", "static int Down(int n) => Down(n + 1) + 1; return Down(0);"),
            .. Enumerable.Range(0, 10).Select(i => Code($"ok-{i}", $"return {i};")),
        ]);

        Assert.Equal(TaskState.Failed, reports[0].State);
        Assert.Contains("worker exited with code", reports[0].Error!.Message, StringComparison.Ordinal);
        Assert.Contains("Stack overflow", reports[0].Error!.Message, StringComparison.Ordinal);
        Assert.All(reports.Skip(1), r => Assert.Equal(TaskState.Succeeded, r.State));
    }

    [Fact]
    public async Task RunAsync_CrashWithOneRetry_RunsAgainAndSucceeds()
    {
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 2 });
        var marker = Path.Combine(Path.GetTempPath(), $"funcexec-test-{Guid.NewGuid():N}");
        var code = $"var marker = \"{marker}\"; if (!File.Exists(marker)) {{ File.WriteAllText(marker, \"\"); Environment.Exit(3); }} return 7;";

        var report = await cluster.RunAsync(Code("flaky", code) with { Retries = 1 });
        File.Delete(marker);

        Assert.Equal(TaskState.Succeeded, report.State);
        Assert.Equal("7", report.ResultJson);
        Assert.Equal(2, report.Attempts);
    }

    [Fact]
    public async Task RunAsync_TaskOverItsTimeout_TimedOutWorkerReplacedOthersRun()
    {
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 2 });
        var before = cluster.WorkerPids.ToArray();

        var reports = await cluster.RunAsync(
        [
            Code("hang", "Thread.Sleep(60_000); return 0;") with { Timeout = TimeSpan.FromMilliseconds(500) },
            .. Enumerable.Range(0, 10).Select(i => Code($"quick-{i}", "Thread.Sleep(50); return 1;")),
        ]);

        Assert.Equal(TaskState.TimedOut, reports[0].State);
        Assert.Contains("timeout", reports[0].Error!.Message, StringComparison.Ordinal);
        Assert.True(reports[0].Finished - reports[0].Started < TimeSpan.FromSeconds(30));
        Assert.All(reports.Skip(1), r => Assert.Equal(TaskState.Succeeded, r.State));
        var killed = int.Parse(reports[0].Worker!.Split("worker-")[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(await EventuallyAsync(() => cluster.WorkerPids[killed] != 0 && cluster.WorkerPids[killed] != before[killed]));
    }

    [Fact]
    public async Task RunAsync_CommandTimesOutWithABackgroundChild_TheWholeProcessTreeIsKilled()
    {
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 2 });
        var pidFile = Path.Combine(Directory.CreateTempSubdirectory("funcexec-tree-").FullName, "pids");

        // The shell starts a grandchild in the background, notes both pids, then waits: a kill of the
        // worker alone would leave both running, holding the core.
        var report = await cluster.RunAsync(
            Command("tree", "bash", "-c", $"sleep 300 & echo \"$$ $!\" > {pidFile}; sleep 300") with { Timeout = TimeSpan.FromSeconds(2) });

        Assert.Equal(TaskState.TimedOut, report.State);
        var pids = File.ReadAllText(pidFile).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        Assert.Equal(2, pids.Length);
        Assert.True(await EventuallyAsync(() => pids.All(pid => !IsRunning(pid))), $"still running: {string.Join(' ', pids.Where(IsRunning))}");
    }

    // A killed process that nobody reaped yet is a zombie ("Z"): it runs nothing.
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    [Fact]
    public async Task RunAsync_TasksWithoutTimeoutEndTheirProcess_ReportWhenTheyStartedInLine()
    {
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 1 });
        var before = DateTimeOffset.UtcNow;

        // One worker: the second runs after the first, so its start is when the first ended.
        var reports = await cluster.RunAsync(
        [
            Code("sleep-then-exit", "Thread.Sleep(300); Environment.Exit(3); return 0;"),
            Code("exit", "Environment.Exit(4); return 0;"),
        ]);

        Assert.All(reports, r => Assert.Equal(TaskState.Failed, r.State));
        Assert.All(reports, r => Assert.NotNull(r.Started));
        Assert.InRange(reports[0].Started!.Value, before, reports[0].Finished!.Value);
        Assert.True(reports[0].Finished!.Value - reports[0].Started!.Value >= TimeSpan.FromMilliseconds(250), $"{reports[0].Started:O} → {reports[0].Finished:O}");
        Assert.InRange(reports[1].Started!.Value, reports[0].Started!.Value, reports[1].Finished!.Value);
    }

    [Fact]
    public async Task RunAsync_WorkerDies_TheWarmSpareTakesItsPlacePinnedAndANewSpareStarts()
    {
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 2 });
        Assert.True(await EventuallyAsync(() => cluster.Node.SparePid != 0));
        var spare = cluster.Node.SparePid;

        var report = await cluster.RunAsync(Code("exit", "Environment.Exit(7); return 0;"));

        var crashed = int.Parse(report.Worker!.Split("worker-")[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(await EventuallyAsync(() => cluster.WorkerPids[crashed] == spare));
        Assert.Equal(cluster.WorkerCores[crashed].ToString(System.Globalization.CultureInfo.InvariantCulture), CpusAllowed(spare));
        Assert.True(await EventuallyAsync(() => cluster.Node.SparePid is not 0 and var next && next != spare));
        var after = await cluster.RunAsync([.. Enumerable.Range(0, 10).Select(i => Method($"m{i}", "System.Math.Abs", -i))]);
        Assert.All(after, r => Assert.Equal(TaskState.Succeeded, r.State));
    }

    [Fact]
    public async Task Kill_RunningTask_ReportedKilledAndTheNextTaskRunsOnTheFreedCore()
    {
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 1 });
        var run = cluster.RunAsync([Code("long", "Thread.Sleep(60_000); return 0;"), Method("next", "System.Math.Abs", -5)]);
        Assert.True(await EventuallyAsync(() => cluster.Scheduler.Snapshot().Running.Any(r => r.Name == "long")));
        var id = cluster.Scheduler.Snapshot().Running.Single(r => r.Name == "long").Id;

        Assert.Equal(FuncExec.Scheduler.KillRequest.Sent, cluster.Scheduler.Kill(id));
        var reports = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(TaskState.Killed, reports[0].State);
        Assert.Contains("killed on request", reports[0].Error!.Message, StringComparison.Ordinal);
        Assert.Equal(TaskState.Succeeded, reports[1].State);
        Assert.Equal("5", reports[1].ResultJson);
        Assert.Equal(reports[0].Cores, reports[1].Cores);
    }

    [Fact]
    public async Task Kill_TaskPrefetchedBehindARunningOne_ReportedKilledWithoutRunning()
    {
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 1 });
        var marker = Path.Combine(Path.GetTempPath(), $"funcexec-killed-{Guid.NewGuid():N}");
        var run = cluster.RunAsync(
        [
            Code("blocker", "Thread.Sleep(1500); return 0;"),
            Code("victim", $"File.WriteAllText(\"{marker}\", \"ran\"); return 1;"),
        ]);
        Assert.True(await EventuallyAsync(() => cluster.Scheduler.Snapshot().Running.Any(r => r.Name == "blocker")));
        var snapshot = cluster.Scheduler.Snapshot();
        var victim = snapshot.Running.Single().Id + 1;

        cluster.Scheduler.Kill(victim);
        var reports = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(TaskState.Succeeded, reports[0].State);
        Assert.Equal(TaskState.Killed, reports[1].State);
        Assert.False(File.Exists(marker));
    }
}
