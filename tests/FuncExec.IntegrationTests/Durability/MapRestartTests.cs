using FuncExec.Client;
using FuncExec.IntegrationTests.Distributed;
using FuncExec.TestJobs;

namespace FuncExec.IntegrationTests.Durability;

/// <summary>
/// Issue 14: a map's chunks and their results are journaled in a compact form; a scheduler SIGKILLed in the middle
/// of a map and restarted with its journal still gives every item's result, each in its place.
/// </summary>
public sealed class MapRestartTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task MapAsync_SchedulerKilledAndRestartedWithItsJournalMidMap_EveryItemsResultArrives()
    {
        await using var scheduler = await RestartingScheduler.StartAsync();
        await using var node = await FuncexecProcess.StartNodeAsync("--scheduler", scheduler.Address, "-c", "2");
        await using var cluster = await RemoteCluster.ConnectAsync(scheduler.Address);
        // Not `await using`: a close that times out after a failure would hide the failure itself.
        var computation = await cluster.ScheduleAsync();
        // Negative and positive items, in chunks of 20 (5 ms an item): some chunks end before the kill, some run
        // through it (they count an attempt, so they have retries), the rest wait in the journal.
        var items = Enumerable.Range(-600, 1_200).ToArray();
        using var watching = new CancellationTokenSource(Patience);
        var someFinished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var events = cluster.StatusAsync(watching.Token);
        var listening = Task.Run(async () =>
        {
            var finished = 0;
            await foreach (var e in events)
            {
                if (e.Kind == ClusterEventKind.TaskFinished && ++finished == 5)
                {
                    someFinished.TrySetResult();
                    return;
                }
            }
        });

        var map = computation.MapAsync(items, x => ApiJobs.SquareSlowly(x), new TaskOptions { ChunkSize = 20, Retries = 3 });
        IReadOnlyList<int> results;
        try
        {
            await someFinished.Task.WaitAsync(Patience);
            Assert.False(map.IsCompleted, "the map ended before the scheduler was killed");
            await scheduler.KillAsync();
            await scheduler.RestartAsync();
            results = await map.WaitAsync(Patience);
        }
        catch (TimeoutException timeout)
        {
            // What the processes said is the only account of where the items went.
            throw new TimeoutException($"{timeout.Message}\nthe scheduler since its restart:\n{scheduler.Process.Output}\nthe node:\n{node.Output}", timeout);
        }

        Assert.Equal(items.Select(x => x * x), results);
        await listening;
        await computation.DisposeAsync();
    }
}
