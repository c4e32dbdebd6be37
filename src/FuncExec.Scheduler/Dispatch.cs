using FuncExec.Core.Tasks;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler.Resources;

namespace FuncExec.Scheduler;

/// <summary>Work gathered under the scheduler's lock: assignments per worker (sent under the lock,
/// to keep their order) and reports (delivered after it, so observers never run under it).</summary>
internal sealed class Dispatch
{
    private readonly Dictionary<WorkerSlot, List<TaskAssignment>> _assignments = [];
    private readonly Dictionary<ITaskObserver, List<FinishedTask>> _reports = [];
    private readonly List<Placement> _revokes = [];
    private readonly List<Placement> _kills = [];

    public void Assign(WorkerSlot slot, TaskAssignment assignment)
    {
        if (!_assignments.TryGetValue(slot, out var list))
        {
            list = [];
            _assignments[slot] = list;
        }

        list.Add(assignment);
    }

    public void Report(ITaskObserver observer, FinishedTask report)
    {
        if (!_reports.TryGetValue(observer, out var list))
        {
            list = [];
            _reports[observer] = list;
        }

        list.Add(report);
    }

    public void Revoke(Placement placement) => _revokes.Add(placement);

    public void Kill(Placement placement) => _kills.Add(placement);

    /// <summary>Sends the gathered assignments and revokes; call under the scheduler's lock.</summary>
    public void SendAssignments()
    {
        foreach (var (slot, tasks) in _assignments)
        {
            slot.Node.Channel.Assign(slot.WorkerId, tasks);
        }

        foreach (var placement in _revokes)
        {
            placement.Primary.Node.Channel.Revoke(placement.Primary.WorkerId, placement.Task.Id, placement.Attempt);
        }

        foreach (var placement in _kills)
        {
            placement.Primary.Node.Channel.Kill(placement.Primary.WorkerId, placement.Task.Id, placement.Attempt);
        }

        _assignments.Clear();
        _revokes.Clear();
        _kills.Clear();
    }

    /// <summary>Delivers the gathered reports; call outside the scheduler's lock.</summary>
    public void Complete()
    {
        foreach (var (observer, reports) in _reports)
        {
            observer.OnFinished(reports);
        }

        _reports.Clear();
    }
}
