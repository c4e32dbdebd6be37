using System.Diagnostics;
using FuncExec.Client;
using FuncExec.IntegrationTests.Distributed;
using FuncExec.Node.Remote;
using FuncExec.TestJobs;

namespace FuncExec.IntegrationTests.Api;

/// <summary>A scheduler that stops answering (SIGSTOP): requests time out, and pulses find it lost.</summary>
public sealed class SchedulerSilenceTests
{
    [Fact]
    public async Task SubmitAsync_SchedulerStopsAnswering_TimesOutAfterTheComputationsTimeout()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync();
        await using var _ = scheduler;
        await using var node = FuncexecProcess.Start("node", "--scheduler", address, "-c", "1");
        await node.WaitForAsync("joined scheduler");
        await using var cluster = await Cluster.ConnectAsync(address);
        // The first call ships the job's assembly and warms both processes up, which on a busy machine
        // can take longer than the short timeout under test: it runs in a computation of its own.
        await using (var warm = await cluster.ScheduleAsync())
        {
            Assert.Equal(4, await warm.RunAsync(() => ApiJobs.Square(2)));
        }

        // Long enough for the open itself on a busy machine; the silence below outlasts it. Not disposed
        // here: closing it would time out too while the scheduler catches up; the scheduler closes it
        // when this client leaves.
        var computation = await cluster.ScheduleAsync(new ComputationOptions { Timeout = TimeSpan.FromSeconds(3) });

        Signal("STOP", scheduler.Pid);
        try
        {
            var late = await Assert.ThrowsAsync<TimeoutException>(() => computation.SubmitAsync(() => ApiJobs.Square(3)));
            Assert.Contains("ComputationOptions.Timeout", late.Message, StringComparison.Ordinal);
        }
        finally
        {
            Signal("CONT", scheduler.Pid);
        }
    }

    [Fact]
    public async Task PulseInterval_SchedulerSilentForFivePulsesNoReattach_WaitingTasksFailAsUnreachable()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync();
        await using var _ = scheduler;
        await using var node = FuncexecProcess.Start("node", "--scheduler", address, "-c", "1");
        await node.WaitForAsync("joined scheduler");
        // Not reattaching: a lost scheduler fails what waits at once (with reattaching, see the Durability tests).
        await using var cluster = await Cluster.ConnectAsync(address, new RemoteClusterOptions { ReattachTime = TimeSpan.Zero });
        var computation = await cluster.ScheduleAsync(new ComputationOptions { PulseInterval = TimeSpan.FromMilliseconds(300) });
        var waiting = await computation.SubmitAsync(ctx => Jobs.StartThenWaitForCancel(ctx));
        await waiting.ReceiveAsync<string>();

        Signal("STOP", scheduler.Pid);
        try
        {
            var lost = await Assert.ThrowsAsync<SchedulerUnreachableException>(() => waiting.Result.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("no pulse from the scheduler", lost.Message, StringComparison.Ordinal);
        }
        finally
        {
            Signal("CONT", scheduler.Pid);
        }
    }

    /// <summary>Sends <paramref name="signal"/> and, for STOP, waits until every thread of the process is stopped: the
    /// kernel stops a thread running on another core a moment after <c>kill</c> returns.</summary>
    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.True(kill.ExitCode == 0, $"kill -{signal} {pid} exited with {kill.ExitCode}");
        if (signal != "STOP")
        {
            return;
        }

        // A guard, not a timed assertion: a stop that never takes fails the test here, naming what still runs.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string[] running;
        while ((running = RunningThreads(pid)).Length > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"process {pid} still has running threads after SIGSTOP: {string.Join(", ", running)}");
            Thread.Sleep(5);
        }
    }

    /// <summary>The threads of <paramref name="pid"/> not in the stopped state (<c>T</c>), each as "tid:state".</summary>
    private static string[] RunningThreads(int pid) =>
        [.. Directory.EnumerateDirectories($"/proc/{pid}/task")
            .Select(task => File.ReadAllText(Path.Combine(task, "stat")))
            // The state follows the command's closing parenthesis, which may itself hold spaces or parentheses.
            .Select(stat => (Tid: stat[..stat.IndexOf(' ', StringComparison.Ordinal)], State: stat[(stat.LastIndexOf(')') + 2)..][0]))
            .Where(thread => thread.State is not ('T' or 't'))
            .Select(thread => $"{thread.Tid}:{thread.State}")];
}
