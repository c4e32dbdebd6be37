using FuncExec.Core.Events;

namespace FuncExec.Client.Internal;

/// <summary>Which events a computation's status stream shows: its own tasks and scheduling, and every node and worker event.</summary>
internal static class EventFilter
{
    public static bool Concerns(ClusterEvent e, long computation) => e switch
    {
        TaskQueued t => t.Computation == computation,
        TaskStarted t => t.Computation == computation,
        TaskFinished t => t.Computation == computation,
        ComputationScheduled c => c.Computation == computation,
        ComputationClosed c => c.Computation == computation,
        _ => true,
    };
}
