using System.Text.Json;
using FuncExec.Client;
using FuncExec.Core.Tasks;
using FuncExec.IntegrationTests.Distributed;
using FuncExec.TestJobs;
using static FuncExec.IntegrationTests.Tasks;

namespace FuncExec.IntegrationTests.Durability;

/// <summary>Issue 10: clients reattach to a scheduler that comes back, say so plainly when it does not, and follow an address list.</summary>
public sealed class ClientReattachTests
{
    // Tasks that outlive the test: they hold their workers while the scheduler goes.
    private const int Forever = 600_000;

    [Fact]
    public async Task Run_SchedulerNeverReturns_ExitsThreeListingTasksNeverHeardOfAsUnknown()
    {
        await using var scheduler = await RestartingScheduler.StartAsync();
        await using var node = await FuncexecProcess.StartNodeAsync("--scheduler", scheduler.Address, "-c", "2");
        var folder = Directory.CreateTempSubdirectory("funcexec-reattach-").FullName;
        var file = Path.Combine(folder, "tasks.yaml");
        await File.WriteAllTextAsync(file, $"""
            tasks:
              - name: quick-1
                function: System.Math.Min
                params: [1, 2]
              - name: quick-2
                function: System.Math.Max
                params: [1, 2]
              - name: slow-1
                function: System.Threading.Thread.Sleep
                params: [{Forever}]
              - name: slow-2
                function: System.Threading.Thread.Sleep
                params: [{Forever}]
              - name: slow-3
                function: System.Threading.Thread.Sleep
                params: [{Forever}]
            """);
        var output = Path.Combine(folder, "results.jsonl");
        await using var run = FuncexecProcess.Start("run", file, "--scheduler", scheduler.Address, "--reattach-time", "3s", "--output", output);
        Assert.True(await EventuallyAsync(() => LinesOf(output).Length == 2, seconds: 60), run.Output + scheduler.Process.Output);

        await scheduler.KillAsync();
        var exitCode = await run.WaitForExitAsync();

        Assert.True(exitCode == 3, $"exit code {exitCode}:\n{run.Output}");
        var lines = LinesOf(output).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(["quick-1", "quick-2", "slow-1", "slow-2", "slow-3"], lines.Select(l => l.GetProperty("name").GetString()));
        Assert.All(lines[..2], l => Assert.Equal("succeeded", l.GetProperty("status").GetString()));
        Assert.All(lines[2..], l =>
        {
            Assert.Equal("unknown", l.GetProperty("status").GetString());
            // Accepted before the scheduler went: the id it gave, for 'funcexec result' should it come back.
            Assert.True(l.GetProperty("id").GetInt64() > 0, l.GetRawText());
            Assert.Contains("did not come back within 3 s", l.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        });
        Assert.Contains($"run: lost the scheduler at {scheduler.Address}", run.Output, StringComparison.Ordinal);
        Assert.Contains("reconnecting for up to 3 s", run.Output, StringComparison.Ordinal);
        Assert.Contains("did not come back within 3 s", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_SchedulerRestartsWithoutJournal_AcceptedTasksUnknownUnacceptedResubmitted()
    {
        var noJournal = await RestartingScheduler.NoJournalAsync();
        await using var scheduler = await RestartingScheduler.StartAsync(noJournal);
        await using var node = await FuncexecProcess.StartNodeAsync("--scheduler", scheduler.Address, "-c", "1");
        await using var client = await RemoteCluster.ConnectAsync(scheduler.Address, new RemoteClusterOptions { ReattachTime = TimeSpan.FromSeconds(120) });
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var back = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionLost += (_, _) => lost.TrySetResult();
        client.Reattached += _ => back.TrySetResult();
        var accepted = client.RunAsync([Method("running", "System.Threading.Thread.Sleep", Forever), Method("queued", "System.Threading.Thread.Sleep", Forever)]);
        await WaitForHeldTasksAsync(client, 2);

        await scheduler.KillAsync();
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(60));
        // Submitted while the client reconnects: held, never accepted, sent once it is back.
        var held = client.RunAsync([Method("held-1", "System.Math.Min", 4, 2), Method("held-2", "System.Math.Max", 4, 2)]);
        await scheduler.RestartAsync(noJournal);
        await back.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var unknown = await accepted.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.All(unknown, r =>
        {
            Assert.Equal(TaskState.Failed, r.State);
            Assert.Equal(RemoteCluster.TaskUnknownError, r.Error?.Type);
            Assert.Contains("restarted without its journal", r.Error?.Message, StringComparison.Ordinal);
            Assert.True(r.Id > 0);
        });
        Assert.Equal(["running", "queued"], unknown.Select(r => r.Name));
        var resubmitted = await held.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.Equal(["2", "4"], resubmitted.Select(r => r.ResultJson));
        Assert.All(resubmitted, r => Assert.Equal(TaskState.Succeeded, r.State));
    }

    /// <summary>The scheduler journals an acknowledgement with its next commit: killed before one, it posts the report
    /// again after its restart, and the client drops it, so the caller hears of each task once.</summary>
    [Fact]
    public async Task RunAsync_AcknowledgementLostWithTheSchedulerKilled_TheReportPostedAgainReachesTheCallerOnce()
    {
        await using var scheduler = await RestartingScheduler.StartAsync();
        await using var node = await FuncexecProcess.StartNodeAsync("--scheduler", scheduler.Address, "-c", "2");
        await using var client = await RemoteCluster.ConnectAsync(scheduler.Address, new RemoteClusterOptions { ReattachTime = TimeSpan.FromSeconds(120) });
        var back = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Reattached += _ => back.TrySetResult();
        var heard = new int[2];
        var quickHeard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The slow task is running when the scheduler dies: that attempt counts, and its retry runs it again.
        var run = client.RunAsync(
            [Method("quick", "System.Math.Max", 4, 2), Method("slow", "System.Threading.Thread.Sleep", 3000) with { Retries = 2 }],
            (index, _) =>
            {
                Interlocked.Increment(ref heard[index]);
                if (index == 0)
                {
                    quickHeard.TrySetResult();
                }
            });
        await quickHeard.Task.WaitAsync(TimeSpan.FromSeconds(60));

        await scheduler.KillAsync();
        await scheduler.RestartAsync();
        await back.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var reports = await run.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.Equal([1, 1], heard);
        Assert.Equal(["4", "null"], reports.Select(r => r.ResultJson));
        Assert.All(reports, r => Assert.Equal(TaskState.Succeeded, r.State));
    }

    [Fact]
    public async Task RemoteTask_SchedulerRestartsWithoutJournal_TaskOfTheLostComputationEndsUnknown()
    {
        var noJournal = await RestartingScheduler.NoJournalAsync();
        await using var scheduler = await RestartingScheduler.StartAsync(noJournal);
        await using var node = await FuncexecProcess.StartNodeAsync("--scheduler", scheduler.Address, "-c", "1");
        await using var client = await RemoteCluster.ConnectAsync(scheduler.Address, new RemoteClusterOptions { ReattachTime = TimeSpan.FromSeconds(120) });
        var back = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Reattached += _ => back.TrySetResult();
        var computation = await client.ScheduleAsync();
        var waiting = await computation.SubmitAsync(ctx => Jobs.StartThenWaitForCancel(ctx));
        await waiting.ReceiveAsync<string>();

        await scheduler.KillAsync();
        await scheduler.RestartAsync(noJournal);
        await back.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var report = await waiting.Completion.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(TaskState.Failed, report.State);
        Assert.Equal(RemoteCluster.TaskUnknownError, report.Error?.Type);
        Assert.Contains($"no longer holds computation {computation.Id}", report.Error?.Message, StringComparison.Ordinal);
        Assert.Equal(waiting.Id, report.Id);
    }

    [Fact]
    public async Task DisposeAsync_ClientWithARunningTask_SaysGoodbyeSoTheTaskIsKilledWithoutWaitingItsReattachTime()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync();
        await using var _ = scheduler;
        await using var node = await FuncexecProcess.StartNodeAsync("--scheduler", address, "-c", "1");
        var leaving = await RemoteCluster.ConnectAsync(address, new RemoteClusterOptions { ReattachTime = TimeSpan.FromMinutes(30) });
        var computation = await leaving.ScheduleAsync();
        var running = await computation.SubmitAsync(ctx => Jobs.StartThenWaitForCancel(ctx));
        await running.ReceiveAsync<string>();

        await leaving.DisposeAsync();

        // Were it only disconnected, the scheduler would keep the task running for the client's 30 minutes.
        await using var observer = await RemoteCluster.ConnectAsync(address);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await observer.QueryStatusAsync()).Running.Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the task still runs a minute after its client said goodbye:\n{scheduler.Output}");
            await Task.Delay(100);
        }

        Assert.DoesNotContain("did not reattach", scheduler.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_FirstAddressOfTheListDead_ConnectsToTheSecond()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync();
        await using var _ = scheduler;
        var dead = $"127.0.0.1:{DistributedTests.FreePort()}";

        await using var client = await RemoteCluster.ConnectAsync($"{dead},{address}");
        var (exitCode, stdout, stderr) = await Funcexec.RunAsync("status", "--scheduler", $"{dead},{address}", "--json");

        Assert.Equal(address, client.Address.ToString());
        Assert.Equal([dead, address], client.Addresses.Select(a => a.ToString()));
        Assert.True(exitCode == 0, stderr);
        Assert.Contains("\"schedulerName\"", stdout, StringComparison.Ordinal);
    }

    /// <summary>Waits until the scheduler holds <paramref name="count"/> tasks, queued or running: the submission was accepted.</summary>
    private static async Task WaitForHeldTasksAsync(RemoteCluster client, int count)
    {
        for (var tries = 0; tries < 3000; tries++)
        {
            var status = await client.QueryStatusAsync();
            if (status.Queued + status.Running.Count >= count)
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"the scheduler never held {count} tasks");
    }

    /// <summary>The lines written so far; the file is shared, since the run still writes it.</summary>
    private static string[] LinesOf(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        // Whole lines only: the last may be half written.
        var text = reader.ReadToEnd();
        return text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
