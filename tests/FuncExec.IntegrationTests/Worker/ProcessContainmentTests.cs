using System.Text;
using System.Text.Json;
using FuncExec.Client;
using FuncExec.Core.Tasks;
using static FuncExec.IntegrationTests.Tasks;

namespace FuncExec.IntegrationTests.Worker;

/// <summary>
/// Issue 9, point 5: a task's processes stay in its task. Real commands on real workers; what is
/// left afterwards is read from <c>/proc</c>. Each test sleeps for a duration of its own, so tests
/// running side by side never see each other's processes.
/// </summary>
public sealed class ProcessContainmentTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // The inner shell ignores SIGTERM, starts its own session and is orphaned at once (its parent, the
    // subshell, exits after starting it): on main it outlived its task, reparented to init.
    private static string DoubleForkIgnoringTerm(string pidFile, int seconds) =>
        $"(trap '' TERM; setsid sh -c 'trap \"\" TERM; echo $$ > {pidFile}; exec sleep {seconds}' > /dev/null 2>&1 &); "
        + $"while [ ! -s {pidFile} ]; do sleep 0.05; done; sleep 300";

    [Fact]
    public async Task RunAsync_CommandTimesOutWithADoubleForkedChildIgnoringTerm_NothingOfItIsLeft()
    {
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 1 });
        var pidFile = PidFile();

        var report = await cluster.RunAsync(
            Command("double-fork", "sh", "-c", DoubleForkIgnoringTerm(pidFile, 3011)) with { Timeout = TimeSpan.FromSeconds(5) });

        Assert.Equal(TaskState.TimedOut, report.State);
        Assert.True(File.Exists(pidFile), "the double-forked child never started");
        Assert.True(await EventuallyAsync(() => Running(3011).Count == 0), $"still running: {string.Join(' ', Running(3011))}");
    }

    [Fact]
    public async Task KillAsync_CommandWithADoubleForkedChildIgnoringTerm_NothingOfItIsLeft()
    {
        await using var cluster = await Cluster.StartLocalAsync(new LocalClusterOptions { Workers = 1 });
        await using var computation = await cluster.ScheduleAsync();
        var pidFile = PidFile();
        var task = await computation.SubmitAsync<JsonElement>(Command("double-fork-kill", "sh", "-c", DoubleForkIgnoringTerm(pidFile, 3012)));
        Assert.True(await EventuallyAsync(() => Running(3012).Count == 1, seconds: 60), "the double-forked child never started");

        Assert.Equal(TaskState.Killed, await task.KillAsync().WaitAsync(Patience));

        Assert.True(await EventuallyAsync(() => Running(3012).Count == 0), $"still running: {string.Join(' ', Running(3012))}");
    }

    [Fact]
    public async Task RunAsync_FinishedCommandLeftASetsidChild_ChildIsGoneWhenTheTaskCompletes()
    {
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 1 });
        var pidFile = PidFile();
        var script = $"setsid sh -c 'trap \"\" TERM; echo $$ > {pidFile}; exec sleep 3013' > /dev/null 2>&1 & "
            + $"while [ ! -s {pidFile} ]; do sleep 0.05; done; echo done";

        var report = await cluster.RunAsync(Command("leaves-a-child", "sh", "-c", script) with { Timeout = TimeSpan.FromSeconds(60) });

        Assert.Equal(TaskState.Succeeded, report.State);
        Assert.True(File.Exists(pidFile), "the background child never started");

        // The worker ends and reaps what a task left before it reports the task, so this holds at once.
        Assert.Empty(Running(3013));
        Assert.False(Directory.Exists($"/proc/{File.ReadAllText(pidFile).Trim()}"), "the child is a zombie nobody reaped");
    }

    [Fact]
    public async Task RunAsync_BackgroundChildHoldsTheOutputPipe_CompletesWithTheOutputAndLeavesNothing()
    {
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 1 });

        // On main this never completed: the sleep holds stdout open, and output was read to its end.
        var report = await cluster.RunAsync(
            Command("holds-pipe", "sh", "-c", "(trap '' TERM; exec sleep 3014) & echo started") with { Timeout = TimeSpan.FromSeconds(60) });

        Assert.Equal(TaskState.Succeeded, report.State);
        Assert.Equal("started\n", JsonDocument.Parse(report.ResultJson!).RootElement.GetProperty("stdout").GetString());
        Assert.Empty(Running(3014));
    }

    [Fact]
    public async Task RunAsync_TaskAfterOneThatLeftAChild_RunsOnTheSameWorkerWithNothingLeft()
    {
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = 1 });

        var reports = await cluster.RunAsync(
        [
            Command("first", "sh", "-c", "sleep 3015 > /dev/null 2>&1 & echo $!") with { Timeout = TimeSpan.FromSeconds(60) },
            Command("second", "sh", "-c", "echo again") with { Timeout = TimeSpan.FromSeconds(60) },
        ]);

        Assert.All(reports, r => Assert.Equal(TaskState.Succeeded, r.State));
        Assert.Equal(reports[0].Worker, reports[1].Worker);
        Assert.Empty(Running(3015));
    }

    private static string PidFile() => Path.Combine(Directory.CreateTempSubdirectory("funcexec-containment-").FullName, "pid");

    /// <summary>The processes running <c>sleep SECONDS</c>, from every <c>/proc/PID/cmdline</c>; a zombie has
    /// an empty command line and runs nothing, so it is not counted.</summary>
    internal static List<int> Running(int seconds)
    {
        var wanted = Encoding.UTF8.GetBytes($"sleep\0{seconds}\0");
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllBytes(Path.Combine(dir, "cmdline")).AsSpan().SequenceEqual(wanted))
                {
                    found.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // It ended while we looked.
            }
        }

        return found;
    }
}
