using FuncExec.Journal.Sqlite;
using FuncExec.Scheduler.Journal;

namespace FuncExec.Journal.Tests.Sqlite;

/// <summary>The journal contract on a SQLite file, each test in a folder of its own.</summary>
public sealed class SqliteJournalConformanceTests : JournalConformanceTests, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("funcexec-journal-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private protected override Task<ISchedulerJournal> OpenAsync()
    {
        var journal = Reopen();
        journal.Load();
        return System.Threading.Tasks.Task.FromResult<ISchedulerJournal>(journal);
    }

    private protected override Task<ISchedulerJournal> ReopenAsync() => System.Threading.Tasks.Task.FromResult<ISchedulerJournal>(Reopen());

    private SqliteJournal Reopen() => new(Path.Combine(_folder, "journal.db"), new JournalOptions { StateFolder = _folder });
}
