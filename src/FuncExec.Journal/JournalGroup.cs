using FuncExec.Scheduler.Journal;

namespace FuncExec.Journal;

/// <summary>
/// Every batch appended since the writer's last commit, merged so that one transaction applies them with one
/// statement per kind of record, and ends in the same state as applying the batches one by one in order.
/// </summary>
/// <remarks>
/// Merging by kind reorders records of different batches; the only pair whose order matters is a client that
/// went (an earlier batch) and came back (a later one), so a later sighting cancels an earlier departure.
/// Duplicates keep the first submission or computation (ids are never reused) and the last client name and report.
/// </remarks>
internal sealed class JournalGroup
{
    private readonly HashSet<long> _submittedIds = [];
    private readonly HashSet<long> _computationIds = [];

    /// <summary>Clients seen, by token, with the last name.</summary>
    public Dictionary<string, JournaledClient> Clients { get; } = new(StringComparer.Ordinal);

    /// <summary>Computations opened, first of each id.</summary>
    public List<JournaledComputation> Computations { get; } = [];

    /// <summary>Tasks submitted, first of each id, in append order.</summary>
    public List<JournaledTask> Submitted { get; } = [];

    /// <summary>The highest attempt started, by task id.</summary>
    public Dictionary<long, int> Started { get; } = [];

    /// <summary>Reports, by task id, the last of each.</summary>
    public Dictionary<long, JournaledResult> Finished { get; } = [];

    /// <summary>Reports acknowledged.</summary>
    public HashSet<long> Acknowledged { get; } = [];

    /// <summary>Computations closed.</summary>
    public HashSet<long> ClosedComputations { get; } = [];

    /// <summary>Clients gone, and not seen again in a later batch.</summary>
    public HashSet<string> GoneClients { get; } = new(StringComparer.Ordinal);

    /// <summary>The highest task id submitted.</summary>
    public long HighestTaskId { get; private set; }

    /// <summary>Whether nothing is in it.</summary>
    public bool IsEmpty =>
        Clients.Count == 0 && Computations.Count == 0 && Submitted.Count == 0 && Started.Count == 0 && Finished.Count == 0
        && Acknowledged.Count == 0 && ClosedComputations.Count == 0 && GoneClients.Count == 0;

    /// <summary>Adds the next batch, in append order.</summary>
    public void Add(JournalBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var client in batch.Clients)
        {
            Clients[client.Token] = client;
            GoneClients.Remove(client.Token);
        }

        foreach (var computation in batch.Computations)
        {
            if (_computationIds.Add(computation.Id))
            {
                Computations.Add(computation);
            }
        }

        foreach (var task in batch.Submitted)
        {
            if (_submittedIds.Add(task.Id))
            {
                Submitted.Add(task);
                HighestTaskId = Math.Max(HighestTaskId, task.Id);
            }
        }

        foreach (var (taskId, attempt) in batch.Started)
        {
            Started[taskId] = Started.TryGetValue(taskId, out var known) ? Math.Max(known, attempt) : attempt;
        }

        foreach (var result in batch.Finished)
        {
            Finished[result.TaskId] = result;
        }

        Acknowledged.UnionWith(batch.Acknowledged);
        ClosedComputations.UnionWith(batch.ClosedComputations);
        GoneClients.UnionWith(batch.GoneClients);
    }
}
