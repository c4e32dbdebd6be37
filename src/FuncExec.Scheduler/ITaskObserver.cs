using FuncExec.Core.Tasks;
using FuncExec.Protocol.V1;

namespace FuncExec.Scheduler;

/// <summary>Hears about the tasks one submitter handed in.</summary>
/// <remarks>Called outside the scheduler's lock, from whatever thread delivered the results;
/// implementations must be quick and thread-safe.</remarks>
internal interface ITaskObserver
{
    /// <summary>Who submitted, as status displays name it (a client's name); null when unnamed.</summary>
    string? Name => null;

    /// <summary>The durable client identity its tasks and computations are journaled under; null for a submitter
    /// that is not journaled (an embedded cluster's, or a client that gave no token).</summary>
    string? JournalToken => null;

    /// <summary>Tasks reached their final state.</summary>
    void OnFinished(IReadOnlyList<FinishedTask> finished);

    /// <summary>One of the submitter's tasks sent it a message.</summary>
    void OnMessage(TaskMessage message)
    {
        // A submitter that runs no messaging tasks hears none.
    }

    /// <summary>One of the submitter's tasks reported progress.</summary>
    void OnProgress(TaskProgress progress)
    {
        // Progress is advisory: a submitter may ignore it.
    }
}
