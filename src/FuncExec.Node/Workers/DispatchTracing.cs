using System.Diagnostics;
using FuncExec.Core.Telemetry;
using FuncExec.Protocol.V1;

namespace FuncExec.Node.Workers;

/// <summary>The node's spans: <c>funcexec.dispatch</c> as it hands a task to its worker, under the scheduler's span,
/// and <c>funcexec.result</c> as the worker's result passes back, under the dispatch span.</summary>
/// <remarks>With nothing listening to FuncExec's spans the node passes the trace context it received on untouched,
/// so the worker's span still joins the scheduler's (or the client's) trace.</remarks>
internal static class DispatchTracing
{
    /// <summary>Starts the dispatch span of <paramref name="task"/>, when this node traces.</summary>
    /// <returns>What to send the worker: <paramref name="task"/> itself when untraced, else a copy carrying the dispatch
    /// span's context (the embedded scheduler keeps the original, and sends it again on a retry).</returns>
    public static TaskAssignment Start(TaskAssignment task, string node, int worker, InFlightTask inFlight, ref List<Activity>? spans)
    {
        if (!FuncExecTelemetry.ActivitySource.HasListeners() || TraceContext.IsSampledOut(task.TraceParent))
        {
            return task;
        }

        _ = TraceContext.TryRead(task.TraceParent, task.TraceState, out var parent);
        if (TraceContext.StartChild("funcexec.dispatch", ActivityKind.Internal, parent) is not { } span)
        {
            return task;
        }

        if (span.IsAllDataRequested)
        {
            span.SetTag(TraceContext.TaskId, task.TaskId);
            span.SetTag(TraceContext.TaskName, task.TaskName.Length > TaskAssignment.MaxTracedNameLength ? task.TaskName[..TaskAssignment.MaxTracedNameLength] : task.TaskName);
            span.SetTag(TraceContext.TaskFunction, task.FunctionName);
            span.SetTag(TraceContext.TaskAttempt, task.Attempt);
            span.SetTag(TraceContext.Node, node);
            span.SetTag(TraceContext.Worker, worker);
            span.SetTag(TraceContext.Cores, string.Join(',', task.Cores));
            span.SetTag(TraceContext.Computation, task.Computation);
        }

        inFlight.Trace = span.Context;
        (spans ??= []).Add(span);
        var sent = task.Clone();
        sent.TraceParent = TraceContext.TraceParentOf(span);
        sent.TraceState = TraceContext.TraceStateOf(span);
        return sent;
    }

    /// <summary>Ends the dispatch spans of a batch once it was handed over.</summary>
    public static void Stop(List<Activity>? spans)
    {
        if (spans is null)
        {
            return;
        }

        foreach (var span in spans)
        {
            TraceContext.Stop(span);
        }
    }

    /// <summary>A span for <paramref name="result"/> as it leaves the node, under its dispatch span.</summary>
    public static void Result(InFlightTask inFlight, TaskResult result)
    {
        if (inFlight.Trace == default || TraceContext.StartChild("funcexec.result", ActivityKind.Internal, inFlight.Trace) is not { } span)
        {
            return;
        }

        if (span.IsAllDataRequested)
        {
            span.SetTag(TraceContext.TaskId, result.TaskId);
            span.SetTag(TraceContext.TaskAttempt, result.Attempt);
            if (result.Outcome != TaskOutcome.Succeeded)
            {
                TraceContext.SetError(span, result.Error is { Type.Length: > 0 } error ? error.Type : result.Outcome.ToString(), result.Error?.Message);
            }
        }

        TraceContext.Stop(span);
    }
}
