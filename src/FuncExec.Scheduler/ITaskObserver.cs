using FuncExec.Core.Tasks;

namespace FuncExec.Scheduler;

/// <summary>Hears about the tasks one submitter handed in.</summary>
/// <remarks>Called outside the scheduler's lock, from whatever thread delivered the results;
/// implementations must be quick and thread-safe.</remarks>
public interface ITaskObserver
{
    /// <summary>Tasks reached their final state.</summary>
    void OnFinished(IReadOnlyList<FinishedTask> finished);
}
