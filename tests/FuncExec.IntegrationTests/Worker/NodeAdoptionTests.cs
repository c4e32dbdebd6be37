using FuncExec.Client;
using FuncExec.Core.Tasks;
using FuncExec.IntegrationTests.Distributed;
using FuncExec.Protocol.Connections;
using static FuncExec.IntegrationTests.Tasks;

namespace FuncExec.IntegrationTests.Worker;

/// <summary>
/// Issue 9, point 5: a worker that dies on its own takes what its task left with it. <c>funcexec node</c>
/// adopts the orphans of a dead worker and ends them; on main they moved to init and ran on.
/// </summary>
public sealed class NodeAdoptionTests
{
    private const string Secret = "node-adoption";

    [Fact]
    public async Task RunAsync_TaskDoubleForksThenKillsItsWorker_NodeEndsAndReapsWhatItLeft()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync("--secret", Secret);
        await using var _ = scheduler;
        await using var node = await FuncexecProcess.StartNodeAsync("--scheduler", address, "-c", "1", "--secret", Secret);
        await using var client = await RemoteCluster.ConnectAsync(address, new RemoteClusterOptions { Security = new TransportSecurity(Secret) });
        var pidFile = Path.Combine(Directory.CreateTempSubdirectory("funcexec-adoption-").FullName, "pid");

        // A sleeper in a session of its own that ignores SIGTERM, orphaned at once (so the worker adopts it);
        // then the task SIGKILLs its own worker, which the node did not ask for.
        var script = $"(trap '' TERM; setsid sh -c 'trap \"\" TERM; echo $$ > {pidFile}; exec sleep 3021' > /dev/null 2>&1 &); "
            + $"while [ ! -s {pidFile} ]; do sleep 0.05; done; kill -9 $PPID; sleep 300";
        var report = (await client.RunAsync([Command("kills-its-worker", "sh", "-c", script) with { Timeout = TimeSpan.FromSeconds(120) }])).Single();

        Assert.Equal(TaskState.Failed, report.State);
        Assert.Contains("worker exited", report.Error!.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(pidFile), "the double-forked sleeper never started");
        var sleeper = File.ReadAllText(pidFile).Trim();
        Assert.True(
            await EventuallyAsync(() => ProcessContainmentTests.Running(3021).Count == 0),
            $"still running: {string.Join(' ', ProcessContainmentTests.Running(3021))}");
        Assert.True(await EventuallyAsync(() => !Directory.Exists($"/proc/{sleeper}")), $"sleeper {sleeper} is a zombie nobody reaped");
        await node.WaitForAsync("killed");
        Assert.False(node.HasExited, $"the node exited:\n{node.Output}");
    }
}
