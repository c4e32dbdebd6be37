using FuncExec.Protocol.V1;

namespace FuncExec.Scheduler;

/// <summary>A task's report for its submitter, with the tag the submitter gave the task (<c>SubmittedTaskSpec.tag</c>).</summary>
internal readonly record struct FinishedTask(long Tag, TaskReport Report)
{
    /// <summary>Its wire form, shared with the journal's record of it, when the scheduler made one.</summary>
    public WireReport? Wire { get; init; }
}

/// <summary>A report's wire form, built once, outside the scheduler's lock, by whoever needs it first: the journal's
/// writer (which encodes it) or a remote client's session (which sends it). Neither changes it.</summary>
internal sealed class WireReport(TaskReport report, long tag)
{
    private TaskReportMessage? _message;

    public TaskReportMessage Message => Volatile.Read(ref _message) ?? Build();

    private TaskReportMessage Build()
    {
        var built = report.ToWire(tag);
        return Interlocked.CompareExchange(ref _message, built, null) ?? built;
    }
}
