using System.Collections.ObjectModel;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler;

namespace FuncExec.Client.Internal;

/// <summary>
/// Reads reports for a client, so that the reports it keeps share what they have in common: the task's name as the
/// caller wrote it, one string per worker name, one list per single core.
/// </summary>
/// <remarks>
/// A run of many tasks keeps every report until the last is in, and each collection of the caller's process copies
/// what is kept: a string per report for its name and its worker, and a list for its core, were most of a no-op
/// task's report. The message's own strings are still read (the parser makes them) but die young. The worker names
/// come from the scheduler, so at most <see cref="MaxWorkerNames"/> are kept; past that a report keeps its own.
/// Thread-safe.
/// </remarks>
internal sealed class ReportStrings
{
    /// <summary>The most worker names kept.</summary>
    internal const int MaxWorkerNames = 4096;

    // Core ids this low get a shared one-core list; a higher one (or several cores) gets its own.
    private const int SharedCoreLists = 1024;

    private static readonly IReadOnlyList<int>?[] OneCore = new IReadOnlyList<int>?[SharedCoreLists];

    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _workers = new(StringComparer.Ordinal);

    /// <summary>The report in <paramref name="message"/>, sharing <paramref name="knownName"/> when the message's name is
    /// the same text.</summary>
    public TaskReport Read(TaskReportMessage message, string? knownName = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        var name = knownName is not null && string.Equals(knownName, message.Name, StringComparison.Ordinal) ? knownName : null;
        return message.ToModel(name, Worker(message.Worker), Cores(message.Cores));
    }

    private string? Worker(string worker)
    {
        if (worker.Length == 0)
        {
            return null;
        }

        lock (_lock)
        {
            if (_workers.TryGetValue(worker, out var kept))
            {
                return kept;
            }

            if (_workers.Count < MaxWorkerNames)
            {
                _workers.Add(worker, worker);
            }

            return worker;
        }
    }

    private static IReadOnlyList<int>? Cores(Google.Protobuf.Collections.RepeatedField<int> cores)
    {
        if (cores.Count != 1 || (uint)cores[0] >= SharedCoreLists)
        {
            return null;
        }

        var core = cores[0];
        return Volatile.Read(ref OneCore[core]) ?? Interlocked.CompareExchange(ref OneCore[core], new ReadOnlyCollection<int>([core]), null) ?? OneCore[core];
    }
}
