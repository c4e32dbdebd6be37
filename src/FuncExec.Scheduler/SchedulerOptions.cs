using FuncExec.Scheduler.Queueing;

namespace FuncExec.Scheduler;

/// <summary>How the scheduler orders and places work.</summary>
/// <remarks>Default: <see cref="TaskOrder.Priority"/>.</remarks>
internal sealed record SchedulerOptions
{
    /// <summary>The defaults.</summary>
    public static SchedulerOptions Default { get; } = new();

    /// <summary>The order queued tasks are placed in.</summary>
    public TaskOrder Order { get; init; } = TaskOrder.Priority;
}
