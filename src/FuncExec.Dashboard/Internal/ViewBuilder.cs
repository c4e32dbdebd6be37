using FuncExec.Dashboard.Api;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler.Status;

namespace FuncExec.Dashboard.Internal;

/// <summary>Builds the views the API serves from the scheduler's snapshot, its host's status and the history.</summary>
internal sealed class ViewBuilder(IDashboardSource source, ClusterHistory history, TimeProvider time)
{
    /// <summary>Finished tasks in a pushed view; <c>/api/tasks</c> reaches every one kept.</summary>
    private const int FinishedShown = 200;

    private const int QueuedShown = 100;

    public DashboardView Full()
    {
        var (status, snapshot) = Read();
        var nodes = Nodes(status);
        var running = Running(status);
        return new DashboardView(
            source.SchedulerName,
            time.GetUtcNow().ToUnixTimeMilliseconds(),
            (long)source.PulseInterval.TotalMilliseconds,
            Summary(nodes, snapshot, status),
            nodes,
            new TaskTableView(running, history.Queued(QueuedShown), snapshot.Queued, history.Finished(FinishedShown)),
            history.Throughput(),
            history.Timeline(KnownLanes(nodes)),
            Computations(snapshot),
            Clients(snapshot),
            history.Log(),
            source.Insecure);
    }

    public StatusView Status()
    {
        var (status, snapshot) = Read();
        var nodes = Nodes(status);
        return new StatusView(source.SchedulerName, time.GetUtcNow().ToUnixTimeMilliseconds(), (long)source.PulseInterval.TotalMilliseconds, Summary(nodes, snapshot, status), nodes);
    }

    public ComputationsView ComputationsAndClients()
    {
        var snapshot = source.Scheduler.Snapshot();
        return new ComputationsView(Computations(snapshot), Clients(snapshot));
    }

    public HistoryView History()
    {
        var nodes = Nodes(source.Status());
        return new HistoryView(time.GetUtcNow().ToUnixTimeMilliseconds(), history.Throughput(), history.Timeline(KnownLanes(nodes)));
    }

    /// <summary>Running, queued and finished tasks whose id, name, state, worker, error type or computation contains <paramref name="filter"/>.</summary>
    public List<TaskView> Tasks(string? filter, int limit)
    {
        Func<TaskView, bool>? keep = string.IsNullOrWhiteSpace(filter) ? null : task => Matches(task, filter.Trim());
        var tasks = new List<TaskView>();
        tasks.AddRange(Running(source.Status()).Where(t => keep is null || keep(t)));
        tasks.AddRange(history.Queued(limit, keep));
        tasks.AddRange(history.Finished(limit, keep));
        return tasks.Count > limit ? tasks.GetRange(0, limit) : tasks;
    }

    /// <summary>The whole error of one of the latest tasks that did not succeed; null when none is kept.</summary>
    public TaskErrorView? ErrorOf(long taskId) => history.ErrorOf(taskId);

    internal static bool Matches(TaskView task, string filter) =>
        task.Id.ToString(System.Globalization.CultureInfo.InvariantCulture).Contains(filter, StringComparison.Ordinal)
        || task.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)
        || task.State.Contains(filter, StringComparison.OrdinalIgnoreCase)
        || (task.Worker?.Contains(filter, StringComparison.OrdinalIgnoreCase) ?? false)
        || (task.ErrorType?.Contains(filter, StringComparison.OrdinalIgnoreCase) ?? false)
        || task.Computation.ToString(System.Globalization.CultureInfo.InvariantCulture).Equals(filter, StringComparison.Ordinal);

    private (StatusReply Status, SchedulerSnapshot Snapshot) Read() => (source.Status(), source.Scheduler.Snapshot());

    private List<NodeView> Nodes(StatusReply status)
    {
        var stuckAfter = 2 * source.PulseInterval.TotalMilliseconds;
        var nodes = new List<NodeView>(status.Nodes.Count);
        foreach (var node in status.Nodes)
        {
            var workers = node.Workers
                .Select(w => new WorkerView(w.WorkerId, $"{node.Name}/worker-{w.WorkerId}", w.Core, w.State, w.CurrentTask, w.CurrentTaskName, Math.Round(w.CpuPercent, 1), w.InFlight))
                .ToList();
            nodes.Add(new NodeView(node.Index, node.Name, node.Address, node.LastPulseAgeMs, node.Connected, node.LastPulseAgeMs > stuckAfter, workers));
        }

        return nodes;
    }

    private List<TaskView> Running(StatusReply status)
    {
        var started = history.Running();
        return
        [
            .. status.Running.Select(r =>
            {
                started.TryGetValue(r.Id, out var start);
                return new TaskView(r.Id, r.Name, "running", start?.Computation ?? 0, r.Worker, [.. r.Cores], start?.Time.ToUnixTimeMilliseconds(), null, r.Attempt);
            }),
        ];
    }

    private SummaryView Summary(List<NodeView> nodes, SchedulerSnapshot snapshot, StatusReply status)
    {
        var throughput = history.Throughput().Counts;
        // The last entry is the second under way; average the five full seconds before it.
        var full = throughput.Count > 1 ? throughput.Take(throughput.Count - 1).TakeLast(5).ToList() : [];
        var rate = full.Count > 0 ? full.Average() : 0;
        return new SummaryView(nodes.Count, nodes.Sum(n => n.Workers.Count), snapshot.BusyWorkers, snapshot.Queued, status.Running.Count, snapshot.Completed, rate, status.Clients);
    }

    private List<ComputationView> Computations(SchedulerSnapshot snapshot)
    {
        var views = new List<ComputationView>();
        foreach (var c in snapshot.Computations)
        {
            var (done, failed) = history.TallyOf(c.Id);
            views.Add(new ComputationView(c.Id, c.Name, c.Exclusive, c.Active, true, c.Queued, c.OnWorkers, done, failed, c.Client));
        }

        views.AddRange(history.Closed());
        return views;
    }

    private List<ClientView> Clients(SchedulerSnapshot snapshot) =>
    [
        .. source.Clients().Select(c => new ClientView(
            c.Name,
            c.Address,
            c.Connected.ToUnixTimeMilliseconds(),
            [.. snapshot.Computations.Where(k => string.Equals(k.Client, c.Owner ?? c.Name, StringComparison.Ordinal)).Select(k => k.Id)])),
    ];

    private static List<string> KnownLanes(List<NodeView> nodes) =>
        [.. nodes.SelectMany(n => n.Workers.Select(w => $"{n.Name}/{w.Core}")).Distinct(StringComparer.Ordinal)];
}
