using System.Diagnostics;

namespace FuncExec.Core.Telemetry;

/// <summary>A task's W3C trace context as it travels in <c>TaskAssignment.trace_parent</c> and <c>trace_state</c>
/// (client → scheduler → node → worker), and the spans each hop starts under it.</summary>
/// <remarks>
/// What a peer sent is hostile: a <c>traceparent</c> other than the 55 characters of version 00, a <c>tracestate</c>
/// over <see cref="MaxTraceStateLength"/> characters, or anything <see cref="ActivityContext.TryParse(string, string, bool, out ActivityContext)"/>
/// refuses is ignored, never refused: the task runs, in a trace of its own. With nothing listening to
/// <see cref="FuncExecTelemetry.ActivitySource"/>, <see cref="StartChild"/> costs a branch and allocates nothing.
/// </remarks>
internal static class TraceContext
{
    /// <summary>The length of a version 00 <c>traceparent</c>: <c>00-{32 hex}-{16 hex}-{2 hex}</c>.</summary>
    public const int TraceParentLength = 55;

    /// <summary>The longest <c>tracestate</c> kept (W3C: 512 characters may be dropped beyond); a longer one is dropped.</summary>
    public const int MaxTraceStateLength = 512;

    /// <summary>Attribute names of FuncExec spans.</summary>
    public const string TaskId = "funcexec.task.id";

    /// <summary>The task's name.</summary>
    public const string TaskName = "funcexec.task.name";

    /// <summary>The function the task calls: a method's or lambda's name, a code task's type, a command's file.</summary>
    public const string TaskFunction = "funcexec.task.function";

    /// <summary>The attempt, from 1.</summary>
    public const string TaskAttempt = "funcexec.task.attempt";

    /// <summary>The node's name.</summary>
    public const string Node = "funcexec.node";

    /// <summary>The worker's id in its node.</summary>
    public const string Worker = "funcexec.worker";

    /// <summary>The cores the task holds, as a list ("0,1").</summary>
    public const string Cores = "funcexec.cores";

    /// <summary>The computation's id (0: none).</summary>
    public const string Computation = "funcexec.computation";

    /// <summary>How the task ended (succeeded, failed, ...), on result spans.</summary>
    public const string Outcome = "funcexec.task.outcome";

    /// <summary>The OpenTelemetry attribute for the type of an error.</summary>
    public const string ErrorType = "error.type";

    /// <summary>Reads a peer's trace context, within bounds.</summary>
    /// <returns>False (and <paramref name="context"/> default) when there is none or it is not a valid one.</returns>
    public static bool TryRead(string? traceParent, string? traceState, out ActivityContext context)
    {
        context = default;
        if (traceParent is not { Length: TraceParentLength })
        {
            return false;
        }

        if (traceState is { Length: > MaxTraceStateLength })
        {
            traceState = null;
        }

        return ActivityContext.TryParse(traceParent, string.IsNullOrEmpty(traceState) ? null : traceState, isRemote: true, out context);
    }

    /// <summary>Whether <paramref name="traceParent"/> is a version 00 context whose sampled flag is unset: where the
    /// trace began it was decided not to record it, so no hop after starts a span for it (a parent-based sampler would
    /// drop each one; this spares the work of asking). Only the flags are looked at: the caller still checks the rest.</summary>
    public static bool IsSampledOut(string? traceParent) =>
        traceParent is { Length: TraceParentLength } && HexValue(traceParent[TraceParentLength - 2]) >= 0
        && HexValue(traceParent[TraceParentLength - 1]) is var low && low >= 0 && (low & 1) == 0;

    /// <summary>The <c>traceparent</c> of <paramref name="activity"/>, for the next hop.</summary>
    public static string TraceParentOf(Activity activity) => activity.Id ?? string.Empty;

    /// <summary>The <c>tracestate</c> of <paramref name="activity"/> for the next hop, empty when it has none or it is over bounds.</summary>
    public static string TraceStateOf(Activity activity) =>
        activity.TraceStateString is { Length: > 0 and <= MaxTraceStateLength } state ? state : string.Empty;

    /// <summary>Starts a span under <paramref name="parent"/> (a root span when it is default), without making it
    /// <see cref="Activity.Current"/>: its parent is what the wire said, never whatever this thread happens to run under,
    /// and the caller's own current activity is left as it was. Stop it with <see cref="Stop"/>.</summary>
    /// <returns>Null when nothing listens or the sampler dropped it: then nothing was allocated.</returns>
    public static Activity? StartChild(string name, ActivityKind kind, in ActivityContext parent)
    {
        if (!FuncExecTelemetry.ActivitySource.HasListeners())
        {
            return null;
        }

        var previous = Activity.Current;
        Activity.Current = null;
        try
        {
            return FuncExecTelemetry.ActivitySource.StartActivity(name, kind, parent);
        }
        finally
        {
            Activity.Current = previous;
        }
    }

    /// <summary>As <see cref="StartChild(string, ActivityKind, in ActivityContext)"/>, starting at <paramref name="startTime"/>
    /// (a span that covers a wait, made when the wait ends).</summary>
    public static Activity? StartChild(string name, ActivityKind kind, in ActivityContext parent, DateTimeOffset startTime)
    {
        if (!FuncExecTelemetry.ActivitySource.HasListeners())
        {
            return null;
        }

        var previous = Activity.Current;
        Activity.Current = null;
        try
        {
            return FuncExecTelemetry.ActivitySource.StartActivity(name, kind, parent, startTime: startTime);
        }
        finally
        {
            Activity.Current = previous;
        }
    }

    /// <summary>Ends a span started by <see cref="StartChild(string, ActivityKind, in ActivityContext)"/>, leaving the
    /// thread's current activity as it was (stopping an activity otherwise makes its parent current).</summary>
    public static void Stop(Activity activity)
    {
        var previous = Activity.Current;
        activity.Stop();
        Activity.Current = previous == activity ? null : previous;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1, // W3C trace context is lower-case hex only.
    };

    /// <summary>Marks <paramref name="activity"/> failed with the error's type.</summary>
    public static void SetError(Activity activity, string errorType, string? message)
    {
        activity.SetStatus(ActivityStatusCode.Error, message);
        activity.SetTag(ErrorType, errorType);
    }
}
