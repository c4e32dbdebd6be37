using FuncExec.Journal.Postgres;
using FuncExec.Scheduler.Journal;
using FuncExec.Tests.Postgres;

namespace FuncExec.Journal.Tests;

/// <summary>The journal contract on a real PostgreSQL server, each test in a database of its own.</summary>
public sealed class PostgresJournalTests(PostgresServer server) : JournalConformanceTests, IClassFixture<PostgresServer>, IAsyncLifetime
{
    private readonly List<IJournalLease> _leases = [];
    private string _database = string.Empty;

    public Task InitializeAsync() => System.Threading.Tasks.Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var lease in _leases)
        {
            await lease.DisposeAsync();
        }
    }

    private protected override async Task<ISchedulerJournal> OpenAsync()
    {
        _database = await server.CreateDatabaseAsync();
        return await ReopenAsync();
    }

    private protected override async Task<ISchedulerJournal> ReopenAsync()
    {
        var (journal, lease) = PostgresJournal.Open(server.Url(_database));
        _leases.Add(lease);
        await lease.AcquireAsync(what => throw new InvalidOperationException($"nobody else holds this journal, yet: {what}"), CancellationToken.None);
        return journal;
    }

    [Fact]
    public async Task Description_NamesHostPortAndDatabaseButNeitherUserNorPassword()
    {
        await using var journal = await OpenAsync();

        Assert.Equal($"postgres 127.0.0.1:{server.Port}/{_database}", journal.Description);
        Assert.DoesNotContain(server.Password, journal.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresServer.User, journal.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Acquire_WrongPassword_RefusedNamingTheJournalWithoutThePassword()
    {
        var url = server.Url("postgres").Replace(Uri.EscapeDataString(server.Password), "not-the-password", StringComparison.Ordinal);
        var (journal, lease) = PostgresJournal.Open(url);
        await using var _ = journal;
        await using var __ = lease;

        var refused = await Assert.ThrowsAsync<JournalException>(() => lease.AcquireAsync(_ => { }, CancellationToken.None));

        Assert.Contains($"postgres 127.0.0.1:{server.Port}/postgres", refused.Message, StringComparison.Ordinal);
        Assert.Contains("password", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Acquire_DatabaseMissing_SaysToCreateIt()
    {
        var (journal, lease) = PostgresJournal.Open(server.Url("no_such_database"));
        await using var _ = journal;
        await using var __ = lease;

        var refused = await Assert.ThrowsAsync<JournalException>(() => lease.AcquireAsync(_ => { }, CancellationToken.None));

        Assert.Contains("no_such_database", refused.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Acquire_JournalOfAnotherSchemaVersion_RefusedNamingTheDatabaseAndFreshJournal()
    {
        await (await OpenAsync()).DisposeAsync();
        await server.PsqlAsync(_database, "UPDATE meta SET value = '99' WHERE key = 'schema'");
        var (journal, lease) = PostgresJournal.Open(server.Url(_database));
        await using var _ = journal;
        await using var __ = lease;

        var refused = await Assert.ThrowsAsync<JournalException>(() => lease.AcquireAsync(_ => { }, CancellationToken.None));

        Assert.Contains($"/{_database} is of schema version 99", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--fresh-journal", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Acquire_FreshOnAnotherSchemaVersion_MovesTheOldTablesAsideAndStartsEmpty()
    {
        await using (var first = await OpenAsync())
        {
            var batch = new JournalBatch();
            batch.Submitted.Add(Task(1, "a"));
            await CommitAsync(first, batch);
        }

        await server.PsqlAsync(_database, "UPDATE meta SET value = '99' WHERE key = 'schema'");
        var (journal, lease) = PostgresJournal.Open(server.Url(_database), fresh: true);
        _leases.Add(lease);
        await using var _ = journal;

        await lease.AcquireAsync(_ => { }, CancellationToken.None);

        Assert.Empty(journal.Load().Unfinished);
        var aside = await server.PsqlAsync(_database, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'tasks_aside_%'");
        Assert.Equal("1", aside.Trim());
    }

    [Fact]
    public async Task Append_AfterTheSessionWasTerminated_RefusedAsNotDurable()
    {
        var (journal, lease) = PostgresJournal.Open(server.Url(await server.CreateDatabaseAsync()));
        _leases.Add(lease);
        await using var _ = journal;
        await lease.AcquireAsync(_ => { }, CancellationToken.None);
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lease.Lost.Register(lost.SetResult);

        await server.PsqlAsync("postgres", $"SELECT pg_terminate_backend({((PostgresJournalLease)lease).BackendProcessId})");
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var refused = Assert.Throws<JournalException>(() => journal.Append(new JournalBatch(), null));
        Assert.Contains("cannot be written", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Append_OneBatch_CommitsInOneTransactionWithItsCopiedTasks()
    {
        await using var journal = await OpenAsync();
        var batch = new JournalBatch();
        batch.Clients.Add(new JournaledClient("a", "client a", DateTimeOffset.UtcNow));
        batch.Submitted.Add(Task(1, "a"));
        batch.Submitted.Add(Task(2, "a"));
        await CommitAsync(journal, batch);

        // Rows carry the id of the transaction that wrote them: the tasks (sent by COPY) and the client (by a
        // batch of statements) must share one, or a crash between them would leave half a batch.
        var together = await server.PsqlAsync(_database, "SELECT count(*) FROM tasks t JOIN clients c ON c.xmin::text = t.xmin::text");
        Assert.Equal("2", together.Trim());
    }

    [Fact]
    public async Task Acquire_UrlWithoutPassword_TakesItFromPgpassword()
    {
        // The README's advice: keep the password off the command line. Set for this process only; every other
        // test gives its password in the URL, which wins.
        var database = await server.CreateDatabaseAsync();
        Environment.SetEnvironmentVariable("PGPASSWORD", server.Password);
        try
        {
            var (journal, lease) = PostgresJournal.Open($"postgres://{PostgresServer.User}@127.0.0.1:{server.Port}/{database}");
            _leases.Add(lease);
            await using var _ = journal;

            await lease.AcquireAsync(_ => { }, CancellationToken.None);

            Assert.Equal(1, journal.Load().NextTaskId);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PGPASSWORD", null);
        }
    }
}
