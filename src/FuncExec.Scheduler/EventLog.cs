
namespace FuncExec.Scheduler;

/// <summary>Events logged under the scheduler's lock and not yet published; the list is swapped out, under that lock, to publish.</summary>
internal sealed class EventLog
{
    public List<ClusterEvent> Pending { get; set; } = [];
}
