using System.Diagnostics;
using FuncExec.Core.Telemetry;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler.Queueing;
using FuncExec.Scheduler.Resources;

namespace FuncExec.Scheduler;

/// <summary>The scheduler's spans: <c>funcexec.queue</c> from a task's queueing to its placement, under the
/// submitter's span, and <c>funcexec.result</c> as its result comes back, under the queue span.</summary>
/// <remarks>Placement is the hot loop: with nothing listening each costs one <see cref="ActivitySource.HasListeners"/>
/// branch, with no string made and nothing allocated.</remarks>
internal sealed partial class ClusterScheduler
{
    /// <summary>Writes the trace context the node's span joins into <paramref name="assignment"/>: this attempt's
    /// queue span's when this scheduler traces, else the submitter's as it came.</summary>
    private static void TracePlacementLocked(QueuedTask task, Placement placement, WorkerSlot primary, TaskAssignment assignment)
    {
        if (task.SampledOut || TraceContext.StartChild("funcexec.queue", ActivityKind.Internal, task.TraceParent, task.QueuedAt) is not { } span)
        {
            assignment.TraceParent = task.SubmittedTraceParent;
            assignment.TraceState = task.SubmittedTraceState;
            return;
        }

        if (span.IsAllDataRequested)
        {
            span.SetTag(TraceContext.TaskId, task.Id);
            span.SetTag(TraceContext.TaskName, task.Submitted.Name);
            span.SetTag(TraceContext.TaskFunction, assignment.FunctionName);
            span.SetTag(TraceContext.TaskAttempt, placement.Attempt);
            span.SetTag(TraceContext.Node, primary.Node.Channel.NodeName);
            span.SetTag(TraceContext.Worker, primary.WorkerId);
            span.SetTag(TraceContext.Cores, string.Join(',', assignment.Cores));
            span.SetTag(TraceContext.Computation, task.Computation.Id);
        }

        assignment.TraceParent = TraceContext.TraceParentOf(span);
        assignment.TraceState = TraceContext.TraceStateOf(span);
        var name = task.Submitted.Name;
        assignment.TaskName = name.Length > TaskAssignment.MaxTracedNameLength ? name[..TaskAssignment.MaxTracedNameLength] : name;
        placement.Trace = span.Context;
        TraceContext.Stop(span);
    }

    /// <summary>A span for a result as it reaches the scheduler, under the attempt's queue span.</summary>
    private static void TraceResultLocked(Placement placement, TaskResult result)
    {
        if (placement.Trace == default || TraceContext.StartChild("funcexec.result", ActivityKind.Internal, placement.Trace) is not { } span)
        {
            return;
        }

        if (span.IsAllDataRequested)
        {
            span.SetTag(TraceContext.TaskId, placement.Task.Id);
            span.SetTag(TraceContext.TaskAttempt, placement.Attempt);
            var state = result.Outcome.ToState();
            span.SetTag(TraceContext.Outcome, state.ToName());
            if (state != FuncExec.TaskState.Succeeded)
            {
                TraceContext.SetError(span, result.Error is { Type.Length: > 0 } error ? error.Type : state.ToName(), result.Error?.Message);
            }
        }

        TraceContext.Stop(span);
    }
}
