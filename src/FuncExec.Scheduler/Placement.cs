using System.Diagnostics;
using System.Runtime.CompilerServices;
using FuncExec.Scheduler.Queueing;
using FuncExec.Scheduler.Resources;

namespace FuncExec.Scheduler;

/// <summary>Where a running task was placed: the slot that runs it and the slots it holds besides.</summary>
/// <param name="EstimateUs">The duration estimate the slot was charged with (NaN: counted as long).</param>
internal sealed record Placement(QueuedTask Task, WorkerSlot Primary, IReadOnlyList<WorkerSlot> Held, int Attempt, double EstimateUs)
{
    /// <summary>Placement order on its slot: the worker runs its tasks in this order, so the
    /// lowest in flight is the one running.</summary>
    public long Order { get; init; }

    /// <summary>A kill was sent for it; it is not retried, nor killed twice.</summary>
    public bool Killing { get; set; }

    /// <summary>A revoke was sent for it; it is not asked for twice.</summary>
    public bool Revoking { get; set; }

    /// <summary>A cancel was sent for it; it is not retried.</summary>
    public bool Cancelling { get; set; }

    // Boxed, and only when traced: most placements are not, and a default context is 40 bytes on each.
    private StrongBox<ActivityContext>? _trace;

    /// <summary>The context of this attempt's <c>funcexec.queue</c> span, under which its result span starts; default when untraced.</summary>
    public ActivityContext Trace
    {
        get => _trace?.Value ?? default;
        set => _trace = value == default ? null : new StrongBox<ActivityContext>(value);
    }

    /// <summary>Its place in its slot's line of in-flight tasks.</summary>
    public LinkedListNode<Placement>? InLine { get; set; }
}
