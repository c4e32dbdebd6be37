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

    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }
}
