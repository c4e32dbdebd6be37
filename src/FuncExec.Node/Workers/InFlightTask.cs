using System.Diagnostics;

namespace FuncExec.Node.Workers;

/// <summary>A task handed to a worker and not yet reported back.</summary>
internal sealed record InFlightTask(long TaskId, int Attempt, long TimeoutMs)
{
    /// <summary>When it started, in Unix µs: as the worker said (it says so only for tasks with a timeout), else
    /// inferred from its place in line, since a worker runs its tasks in order: when it was handed to an idle
    /// worker, or when the task before it finished. 0 while it waits behind another.</summary>
    public long StartedUnixUs { get; set; }

    /// <summary>The context of its dispatch span, under which its result span starts; default when untraced.</summary>
    public ActivityContext Trace { get; set; }
}
