using FuncExec.Protocol.V1;
using FuncExec.Scheduler.Journal;
using FuncExec.Scheduler.Resources;

namespace FuncExec.Scheduler;

/// <summary>Work gathered under the scheduler's lock: what goes to nodes (sent under the lock, to
/// keep its order) and what goes to submitters and subscribers (delivered after it, so their
/// callbacks never run under it).</summary>
internal sealed class Dispatch
{
    // Each made when first needed: a dispatch is made for every call into the scheduler, and most use one or two.
    private Dictionary<WorkerSlot, List<TaskAssignment>>? _assignments;
    private Dictionary<ITaskObserver, List<FinishedTask>>? _reports;
    private List<Action<INodeChannel>>? _nodeCommands;
    private List<INodeChannel>? _nodeCommandTargets;
    private List<Action>? _after;
    private readonly EventLog? _events;
    private readonly bool _journaling;
    private JournalBatch? _batch;

    /// <param name="eventLog">The scheduler's events not yet published, appended to under its lock
    /// so events keep the order they happened in; null while nobody listens.</param>
    /// <param name="journaling">Whether the scheduler keeps a journal: then records gather in <see cref="Batch"/>.</param>
    public Dispatch(EventLog? eventLog = null, bool journaling = false)
    {
        _events = eventLog;
        _journaling = journaling;
    }

    /// <summary>Whether the scheduler journals: build records only then.</summary>
    public bool Journaling => _journaling;

    /// <summary>The journal records gathered under the lock (made on first use); null without a journal.</summary>
    public JournalBatch? Batch => _journaling ? _batch ??= new JournalBatch() : null;

    /// <summary>The records gathered so far, without making a batch; null when none were.</summary>
    public JournalBatch? GatheredBatch => _batch;

    /// <summary>Whether <see cref="Complete"/> has anything to do.</summary>
    public bool HasCompletions => _reports is { Count: > 0 } || _after is { Count: > 0 };

    /// <summary>Set when <see cref="Complete"/> was handed to the journal, to run once the batch is durable.</summary>
    public bool Deferred { get; set; }

    /// <summary>Whether anyone listens for events: build them only then.</summary>
    public bool RecordsEvents => _events is not null;

    public void Assign(WorkerSlot slot, TaskAssignment assignment)
    {
        _assignments ??= [];
        if (!_assignments.TryGetValue(slot, out var list))
        {
            // Most dispatches hand a worker one task (the next, as a result comes back).
            list = new List<TaskAssignment>(1);
            _assignments[slot] = list;
        }

        list.Add(assignment);
    }

    public void Report(ITaskObserver observer, FinishedTask report)
    {
        _reports ??= [];
        if (!_reports.TryGetValue(observer, out var list))
        {
            list = new List<FinishedTask>(1);
            _reports[observer] = list;
        }

        list.Add(report);
    }

    /// <summary>Something for a node that must follow the assignments gathered so far (revoke, kill, message).</summary>
    public void ToNode(INodeChannel channel, Action<INodeChannel> command)
    {
        (_nodeCommandTargets ??= []).Add(channel);
        (_nodeCommands ??= []).Add(command);
    }

    public void Revoke(Placement placement) =>
        ToNode(placement.Primary.Node.Channel, c => c.Revoke(placement.Primary.WorkerId, placement.Task.Id, placement.Attempt));

    public void Kill(Placement placement) =>
        ToNode(placement.Primary.Node.Channel, c => c.Kill(placement.Primary.WorkerId, placement.Task.Id, placement.Attempt));

    /// <summary>Runs after the lock is released: callbacks to submitters (messages, progress, computation news).</summary>
    public void After(Action action) => (_after ??= []).Add(action);

    /// <summary>Logs an event; call under the scheduler's lock.</summary>
    public void Event(ClusterEvent e) => _events?.Pending.Add(e);

    /// <summary>Sends the gathered assignments, then the node commands; call under the scheduler's lock.</summary>
    public void SendAssignments()
    {
        if (_assignments is { Count: > 0 })
        {
            foreach (var (slot, tasks) in _assignments)
            {
                slot.Node.Channel.Assign(slot.WorkerId, tasks);
            }

            _assignments.Clear();
        }

        if (_nodeCommands is { Count: > 0 })
        {
            for (var i = 0; i < _nodeCommands.Count; i++)
            {
                _nodeCommands[i](_nodeCommandTargets![i]);
            }

            _nodeCommands.Clear();
            _nodeCommandTargets!.Clear();
        }
    }

    /// <summary>Delivers the gathered reports and callbacks; call outside the scheduler's lock.</summary>
    public void Complete()
    {
        if (_reports is { Count: > 0 })
        {
            foreach (var (observer, reports) in _reports)
            {
                observer.OnFinished(reports);
            }

            _reports.Clear();
        }

        if (_after is { Count: > 0 })
        {
            foreach (var action in _after)
            {
                action();
            }

            _after.Clear();
        }
    }
}
