using FuncExec.Client;
using FuncExec.Core.Tasks;

namespace FuncExec.Bench;

/// <summary>W4 (kill → refill) and W5 (crash recovery) through the computation API.</summary>
internal static class KillWorkloads
{
    /// <summary>
    /// W4: every worker runs a long task and one more task is queued; <c>KillAsync</c> one long task and time until
    /// the queued task starts on the freed core, as the node says (<see cref="KillTimes.Started"/>), and until the
    /// queued task's own code runs, as a user sees it (<see cref="KillTimes.Ran"/>: a timestamp taken inside it).
    /// Milliseconds, each sorted.
    /// </summary>
    public static async Task<KillTimes> KillRefillAsync(ICluster cluster, int workers, int rounds)
    {
        await using var computation = await cluster.ScheduleAsync(new ComputationOptions { Name = "w4" });
        var started = new double[rounds];
        var ran = new double[rounds];
        for (var round = 0; round < rounds; round++)
        {
            // Let the warm spare connect again, as it would between kills in real use.
            await Task.Delay(800);
            var longTasks = new List<RemoteTask<int>>();
            for (var w = 0; w < workers; w++)
            {
                longTasks.Add(await computation.SubmitAsync(ctx => Jobs.SleepAfterHello(ctx, 60_000)));
            }

            // Every worker runs a long task; the next task waits in the queue.
            foreach (var task in longTasks)
            {
                await task.ReceiveAsync<string>();
            }

            var next = await computation.SubmitAsync(() => Jobs.NowMicroseconds());
            var killedAt = DateTimeOffset.UtcNow;
            var state = await longTasks[0].KillAsync();
            if (state != TaskState.Killed)
            {
                throw new InvalidOperationException($"W4: the long task ended {state}, not killed");
            }

            var report = await next.Completion;
            var ranAt = await next;
            started[round] = (report.Started!.Value - killedAt).TotalMilliseconds;
            ran[round] = (ranAt - ((killedAt.UtcDateTime - DateTime.UnixEpoch).Ticks / 10.0)) / 1000.0;
            foreach (var task in longTasks.Skip(1))
            {
                await task.KillAsync();
            }
        }

        Array.Sort(started);
        Array.Sort(ran);
        return new KillTimes(started, ran);
    }

    /// <summary>
    /// W5: 100 tasks of 20 ms of CPU, one of which kills its own worker the first time it runs (retried once).
    /// Returns the wall time with the crash and without it, in seconds; throws unless all 100 succeed.
    /// </summary>
    public static async Task<(double WithCrash, double Clean)> CrashRecoveryAsync(ICluster cluster, int tasks = 100, int millis = 20)
    {
        await using var computation = await cluster.ScheduleAsync(new ComputationOptions { Name = "w5" });
        var clean = await RunAsync(computation, tasks, millis, crashAt: -1);
        var withCrash = await RunAsync(computation, tasks, millis, crashAt: tasks / 2);
        return (withCrash, clean);
    }

    private static async Task<double> RunAsync(Computation computation, int tasks, int millis, int crashAt)
    {
        var marker = Path.Combine(Path.GetTempPath(), $"funcexec-w5-{Guid.NewGuid():N}");
        var started = System.Diagnostics.Stopwatch.StartNew();
        var handles = new List<RemoteTask<long>>();
        for (var i = 0; i < tasks; i++)
        {
            var path = i == crashAt ? marker : string.Empty;
            handles.Add(await computation.SubmitAsync(() => Jobs.SpinOrCrashOnce(millis, path), new TaskOptions { Retries = 1 }));
        }

        var reports = await Task.WhenAll(handles.Select(h => h.Completion));
        var wall = started.Elapsed.TotalSeconds;
        File.Delete(marker);
        var failed = reports.Count(r => r.State != TaskState.Succeeded);
        if (failed > 0 || (crashAt >= 0 && reports[crashAt].Attempts != 2))
        {
            throw new InvalidOperationException($"W5: {failed} of {tasks} tasks did not succeed; the crashed one took {reports[Math.Max(0, crashAt)].Attempts} attempts");
        }

        return wall;
    }
}

/// <summary>W4's times from <c>KillAsync</c>, in milliseconds, each sorted: until the node says the next task started,
/// and until the next task's own code ran.</summary>
internal sealed record KillTimes(double[] Started, double[] Ran);
