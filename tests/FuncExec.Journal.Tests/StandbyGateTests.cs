using FuncExec.Journal.Postgres;
using FuncExec.Tests.Postgres;
using Microsoft.Extensions.Logging;

namespace FuncExec.Journal.Tests;

public sealed class StandbyGateTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task RunAsync_LeaseLost_StopsServingAndReturnsTheLostExitCode()
    {
        var (journal, lease) = PostgresJournal.Open(server.Url(await server.CreateDatabaseAsync()));
        await using var _ = journal;
        await using var __ = lease;
        var log = new LineLogger();
        var gate = new StandbyGate(lease, journal.Description, log, time: null, exit: _ => { });
        var serving = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var run = gate.RunAsync(async token =>
        {
            serving.SetResult();
            await Task.Delay(Timeout.Infinite, token);
        });
        await serving.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await server.PsqlAsync("postgres", $"SELECT pg_terminate_backend({((PostgresJournalLease)lease).BackendProcessId})");

        Assert.Equal(StandbyGate.LostExitCode, await run.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.True(gate.ExitArmed, "the process is ended if serving does not stop in time");
        Assert.Contains(log.Lines, l => l.Level == LogLevel.Critical && l.Text.Contains($"exiting with code {StandbyGate.LostExitCode}", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Lines, l => l.Text.Contains("standing by", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_SecondGate_StandsByThenServesWhenTheFirstStops()
    {
        var url = server.Url(await server.CreateDatabaseAsync());
        var (firstJournal, firstLease) = PostgresJournal.Open(url);
        var first = new StandbyGate(firstLease, firstJournal.Description, new LineLogger(), time: null, exit: _ => { });
        using var stopFirst = new CancellationTokenSource();
        var firstServing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstRun = first.RunAsync(
            async token =>
            {
                firstServing.SetResult();
                await Task.Delay(Timeout.Infinite, token);
            },
            stopFirst.Token);
        await firstServing.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var (secondJournal, secondLease) = PostgresJournal.Open(url);
        await using var _ = secondJournal;
        await using var __ = secondLease;
        var log = new LineLogger();
        var second = new StandbyGate(secondLease, secondJournal.Description, log, time: null, exit: _ => { });
        using var stopSecond = new CancellationTokenSource();
        var secondServing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondRun = second.RunAsync(
            async token =>
            {
                secondServing.SetResult();
                await Task.Delay(Timeout.Infinite, token);
            },
            stopSecond.Token);
        while (!log.Lines.Any(l => l.Text.Contains("another scheduler", StringComparison.Ordinal)))
        {
            Assert.False(secondRun.IsCompleted, "the second gate must stand by");
            await Task.Delay(50);
        }

        Assert.False(secondServing.Task.IsCompleted, "a standby does not serve");
        await stopFirst.CancelAsync();
        Assert.Equal(0, await firstRun.WaitAsync(TimeSpan.FromSeconds(60)));
        await firstJournal.DisposeAsync();
        await firstLease.DisposeAsync();

        await secondServing.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await stopSecond.CancelAsync();
        Assert.Equal(0, await secondRun.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Single(log.Lines, l => l.Text.Contains("another scheduler", StringComparison.Ordinal) && l.Text.Contains(secondJournal.Description, StringComparison.Ordinal));
        Assert.Contains(log.Lines, l => l.Text.Contains("after standing by", StringComparison.Ordinal));
    }
}
