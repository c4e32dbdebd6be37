using System.Diagnostics;
using FuncExec.Core.Telemetry;
using FuncExec.Protocol.V1;

namespace FuncExec.Client.Internal;

/// <summary>The client's end of a task's trace: a <c>funcexec.submit</c> span under whatever the submitting code runs
/// in (<see cref="Activity.Current"/>), whose W3C context travels with the task to the scheduler, the node and the worker.</summary>
internal static class SubmitTracing
{
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
            var traceId = Activity.Current?.TraceId ?? ActivityTraceId.CreateRandom();
            assignment.TraceParent = $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-00";
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
