using System.Diagnostics;
using FuncExec.Core.Telemetry;
using FuncExec.Protocol.V1;

namespace FuncExec.Client.Internal;

/// <summary>The client's end of a task's trace: a <c>funcexec.submit</c> span under whatever the submitting code runs
/// in (<see cref="Activity.Current"/>), whose W3C context travels with the task to the scheduler, the node and the worker.</summary>
internal static class SubmitTracing
{
    /// <summary>The context of the tasks this process sampled out with no trace of the caller's around them.</summary>
    private static readonly string SampledOutRoot =
        $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-00";

    /// <summary>Opens and closes the submit span of <paramref name="task"/>, writing its context into the assignment.
    /// Nothing is written (and nothing allocated) when nothing listens: then the task carries no trace context, and a
    /// tracing scheduler starts its trace. When the sampler drops the span, the task carries a context whose sampled flag
    /// is unset, so the hops after it (parent-based) leave it untraced too.</summary>
    public static void Trace(SubmittedTaskSpec task)
    {
        if (!FuncExecTelemetry.ActivitySource.HasListeners())
        {
            return;
        }

        var assignment = task.Assignment;
        using var span = FuncExecTelemetry.ActivitySource.StartActivity("funcexec.submit", ActivityKind.Producer);
        if (span is null)
        {
            // Sampled out here: say so downstream (the sampled flag unset), so the hops that follow the parent's
            // decision do not start a trace of their own for this task.
            // Under the caller's own trace, in that trace; otherwise in one this process uses for every task it sampled
            // out, since no hop records anything under it (one string, not two random ids and a string per task).
            assignment.TraceParent = Activity.Current is { } current
                ? $"00-{current.TraceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-00"
                : SampledOutRoot;
            assignment.TraceState = string.Empty;
            return;
        }

        if (span.IsAllDataRequested)
        {
            span.SetTag(TraceContext.TaskName, task.Name);
            span.SetTag(TraceContext.TaskFunction, assignment.FunctionName);
        }

        assignment.TraceParent = TraceContext.TraceParentOf(span);
        assignment.TraceState = TraceContext.TraceStateOf(span);
        assignment.TaskName = task.Name.Length > TaskAssignment.MaxTracedNameLength ? task.Name[..TaskAssignment.MaxTracedNameLength] : task.Name;
    }

    /// <summary>The submit span's context a task carries, when it was sampled; default otherwise.</summary>
    public static ActivityContext ContextOf(SubmittedTaskSpec task) =>
        task.Assignment is { TraceParent.Length: > 0 } assignment
        && !TraceContext.IsSampledOut(assignment.TraceParent)
        && TraceContext.TryRead(assignment.TraceParent, assignment.TraceState, out var context)
        && context.TraceFlags.HasFlag(ActivityTraceFlags.Recorded)
            ? context
            : default;

    /// <summary>A span for a task's report as it reaches its client, under the task's submit span.</summary>
    public static void Result(in ActivityContext submit, long id, string name, TaskReport report)
    {
        if (TraceContext.StartChild("funcexec.result", ActivityKind.Consumer, submit) is not { } span)
        {
            return;
        }

        if (span.IsAllDataRequested)
        {
            span.SetTag(TraceContext.TaskId, id);
            span.SetTag(TraceContext.TaskName, name);
            span.SetTag(TraceContext.TaskAttempt, report.Attempts);
            span.SetTag(TraceContext.Outcome, report.State.ToName());
            if (report.State != TaskState.Succeeded)
            {
                TraceContext.SetError(span, report.Error?.Type ?? report.State.ToName(), report.Error?.Message);
            }
        }

        TraceContext.Stop(span);
    }
}
