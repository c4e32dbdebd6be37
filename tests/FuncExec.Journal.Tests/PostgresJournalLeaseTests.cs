using System.Diagnostics;
using FuncExec.Journal.Postgres;
using FuncExec.Scheduler.Journal;
using FuncExec.Tests.Postgres;
using Xunit.Abstractions;

namespace FuncExec.Journal.Tests;

/// <summary>Two schedulers on one PostgreSQL journal: the second stands by until the first's session ends.</summary>
public sealed class PostgresJournalLeaseTests(PostgresServer server, ITestOutputHelper output) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task Acquire_SecondWhileFirstHeld_StandsByThenTakesOverWhenFirstCloses()
    {
        var url = server.Url(await server.CreateDatabaseAsync());
        var (firstJournal, first) = PostgresJournal.Open(url);
        await first.AcquireAsync(_ => throw new InvalidOperationException("the first should not wait"), CancellationToken.None);
        var (secondJournal, second) = PostgresJournal.Open(url);
        await using var _ = secondJournal;
        await using var __ = second;
        var waiting = new List<string>();
        var standingBy = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var acquiring = second.AcquireAsync(
            what =>
            {
                waiting.Add(what);
                standingBy.TrySetResult();
            },
            CancellationToken.None);
        await standingBy.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.False(acquiring.IsCompleted, "the second must wait while the first holds the journal");

        var closed = Stopwatch.StartNew();
        await firstJournal.DisposeAsync();
        await first.DisposeAsync();
        await acquiring.WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"takeover after the first closed: {closed.Elapsed.TotalMilliseconds:0} ms");

        var said = Assert.Single(waiting);
        Assert.Contains("another scheduler", said, StringComparison.Ordinal);
        Assert.Contains("standing by", said, StringComparison.Ordinal);
        Assert.Contains("funcexec scheduler on", said, StringComparison.Ordinal);
        Assert.False(first.Lost.IsCancellationRequested, "closing the lease on purpose is not losing it");
        var batch = new JournalBatch();
        batch.Submitted.Add(new JournaledTask(1, "a", 0, 1, [1], 0));
        var committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        secondJournal.Append(batch, committed.SetResult);
        await committed.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Acquire_FirstSessionTerminated_FirstLosesAndSecondTakesOver()
    {
        var url = server.Url(await server.CreateDatabaseAsync());
        var (firstJournal, first) = PostgresJournal.Open(url);
        await using var _ = firstJournal;
        await using var __ = first;
        await first.AcquireAsync(_ => { }, CancellationToken.None);
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = first.Lost.Register(lost.SetResult);
        var (secondJournal, second) = PostgresJournal.Open(url);
        await using var ___ = secondJournal;
        await using var ____ = second;
        var standingBy = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var acquiring = second.AcquireAsync(_ => standingBy.TrySetResult(), CancellationToken.None);
        await standingBy.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var killed = Stopwatch.StartNew();
        await server.PsqlAsync("postgres", $"SELECT pg_terminate_backend({((PostgresJournalLease)first).BackendProcessId})");
        await acquiring.WaitAsync(TimeSpan.FromSeconds(60));
        var takeover = killed.Elapsed;
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"takeover after the first's session was terminated: {takeover.TotalMilliseconds:0} ms; the first knew it lost after {killed.Elapsed.TotalMilliseconds:0} ms");

        Assert.False(second.Lost.IsCancellationRequested);
    }

    [Fact]
    public async Task Acquire_CancelledWhileStandingBy_ThrowsAndLeavesTheHolderAlone()
    {
        var url = server.Url(await server.CreateDatabaseAsync());
        var (firstJournal, first) = PostgresJournal.Open(url);
        await using var _ = firstJournal;
        await using var __ = first;
        await first.AcquireAsync(_ => { }, CancellationToken.None);
        var (secondJournal, second) = PostgresJournal.Open(url);
        await using var ___ = secondJournal;
        await using var ____ = second;
        using var cancel = new CancellationTokenSource();

        var acquiring = second.AcquireAsync(_ => cancel.Cancel(), cancel.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => acquiring);
        Assert.False(first.Lost.IsCancellationRequested);
    }

    [Fact]
    public async Task Acquire_StandbyOnAJournalOfAnotherSchemaVersion_RefusedAtOnceInsteadOfAtTakeover()
    {
        var database = await server.CreateDatabaseAsync();
        var (firstJournal, first) = PostgresJournal.Open(server.Url(database));
        await using var _ = firstJournal;
        await using var __ = first;
        await first.AcquireAsync(_ => { }, CancellationToken.None);
        await server.PsqlAsync(database, "UPDATE meta SET value = '99' WHERE key = 'schema'");
        var (secondJournal, second) = PostgresJournal.Open(server.Url(database));
        await using var ___ = secondJournal;
        await using var ____ = second;
        var waited = false;

        var refused = await Assert.ThrowsAsync<JournalException>(() => second.AcquireAsync(_ => waited = true, CancellationToken.None));

        Assert.Contains("schema version 99", refused.Message, StringComparison.Ordinal);
        Assert.False(waited, "a standby that could never take over must not stand by");
    }

    [Fact]
    public async Task Acquire_StandbySessionTerminatedWhileWaiting_ReconnectsAndStillTakesOver()
    {
        var database = await server.CreateDatabaseAsync();
        var url = server.Url(database);
        var (firstJournal, first) = PostgresJournal.Open(url);
        await first.AcquireAsync(_ => { }, CancellationToken.None);
        var (secondJournal, second) = PostgresJournal.Open(url);
        await using var _ = secondJournal;
        await using var __ = second;
        var standingBy = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var acquiring = second.AcquireAsync(_ => standingBy.TrySetResult(), CancellationToken.None);
        await standingBy.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var holder = ((PostgresJournalLease)first).BackendProcessId;
        var ended = await server.PsqlAsync(
            "postgres",
            $"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{database}' AND pid <> {holder} AND application_name LIKE 'funcexec%'");
        Assert.Equal("1", ended.Trim());
        Assert.False(acquiring.IsCompleted, "the standby keeps waiting after its own session ended");

        await firstJournal.DisposeAsync();
        await first.DisposeAsync();
        await acquiring.WaitAsync(TimeSpan.FromSeconds(60));
    }
}
