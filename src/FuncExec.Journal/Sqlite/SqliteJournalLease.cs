using System.Globalization;
using System.Text;
using FuncExec.Scheduler.Journal;

namespace FuncExec.Journal.Sqlite;

/// <summary>
/// One scheduler per SQLite journal: a lock on <c>&lt;journal&gt;.lock</c>, which holds the pid of its holder.
/// A second scheduler is refused at once, naming that pid; there is no standby on a file.
/// </summary>
/// <remarks>The lock is a POSIX record lock (<see cref="FileStream.Lock"/>), which the kernel drops when the
/// holder dies, even by SIGKILL, so a crashed scheduler never leaves the journal locked. Record locks do not
/// exclude the process that holds them, so opens within one process are checked against a list of held paths.</remarks>
internal sealed class SqliteJournalLease : IJournalLease
{
    private static readonly HashSet<string> HeldHere = new(StringComparer.Ordinal);
    private static readonly Lock HeldLock = new();

    private readonly string _journal;
    private readonly string _lockPath;
    private FileStream? _file;

    public SqliteJournalLease(string journalPath)
    {
        _journal = journalPath;
        _lockPath = journalPath + ".lock";
    }

    private readonly CancellationTokenSource _lost = new();

    /// <summary>A file lock is not lost while the process lives; this is cancelled when a write to the journal failed
    /// (disk full, the file removed), after which the scheduler can no longer promise what it acknowledges.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>The journal could not be written: cancels <see cref="Lost"/>.</summary>
    public void WriteFailed() => _lost.Cancel();

    public Task AcquireAsync(Action<string> onWaiting, CancellationToken cancellationToken)
    {
        lock (HeldLock)
        {
            if (_file is not null)
            {
                return Task.CompletedTask;
            }

            if (HeldHere.Contains(_lockPath))
            {
                throw InUse(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            }

            var folder = Path.GetDirectoryName(_lockPath);
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            var file = new FileStream(_lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            try
            {
                if (OperatingSystem.IsMacOS())
                {
                    throw new PlatformNotSupportedException("SQLite journals are locked with POSIX record locks, which this platform's .NET does not offer; use Linux or Windows");
                }

                file.Lock(0, 1);
            }
            catch (IOException)
            {
                var holder = ReadHolder(file);
                file.Dispose();
                throw InUse(holder);
            }

            var pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
            file.SetLength(0);
            file.Write(pid);
            file.Flush();
            _file = file;
            HeldHere.Add(_lockPath);
        }

        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        lock (HeldLock)
        {
            if (_file is { } file)
            {
                _file = null;
                HeldHere.Remove(_lockPath);
                file.Dispose();
            }
        }

        return ValueTask.CompletedTask;
    }

    private JournalException InUse(string holder) =>
        new($"the journal {_journal} is in use by another scheduler (process {holder}, which holds {_lockPath}); "
            + "stop that scheduler, or give this one another --journal (or --port, for its own state folder)");

    private static string ReadHolder(FileStream file)
    {
        try
        {
            file.Position = 0;
            var buffer = new byte[32];
            var read = file.Read(buffer);
            var text = Encoding.ASCII.GetString(buffer, 0, read).Trim();
            return text.Length > 0 && text.All(char.IsAsciiDigit) ? text : "unknown";
        }
        catch (IOException ex)
        {
            return $"unknown: {ex.Message}";
        }
    }
}
