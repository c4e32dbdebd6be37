using System.Diagnostics;
using FuncExec.Core.Telemetry;
using FuncExec.Protocol.V1;

namespace FuncExec.Client.Internal;

/// <summary>The client's end of a task's trace: a <c>funcexec.submit</c> span under whatever the submitting code runs
/// in (<see cref="Activity.Current"/>), whose W3C context travels with the task to the scheduler, the node and the worker.</summary>
internal static class SubmitTracing
{
    /// <summary>Opens and closes the submit span of <paramref name="task"/>, writing its context into the assignment.
    /// Nothing is written (and nothing allocated) when nothing listens or the sampler drops it: then the task carries no
    /// trace context, and a tracing scheduler starts its trace.</summary>
    public static void Trace(SubmittedTaskSpec task)
    {
        if (!FuncExecTelemetry.ActivitySource.HasListeners())
        {
            return;
        }

        using var span = FuncExecTelemetry.ActivitySource.StartActivity("funcexec.submit", ActivityKind.Producer);
        if (span is null)
        {
            return;
        }

        var assignment = task.Assignment;
        if (span.IsAllDataRequested)
        {
            span.SetTag(TraceContext.TaskName, task.Name);
            span.SetTag(TraceContext.TaskFunction, assignment.FunctionName);
        }

        assignment.TraceParent = TraceContext.TraceParentOf(span);
        assignment.TraceState = TraceContext.TraceStateOf(span);
        assignment.TaskName = task.Name.Length > TaskAssignment.MaxTracedNameLength ? task.Name[..TaskAssignment.MaxTracedNameLength] : task.Name;
    }
}
