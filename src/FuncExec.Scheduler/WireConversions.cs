using FuncExec.Core.Tasks;
using FuncExec.Protocol.V1;

namespace FuncExec.Scheduler;

/// <summary>Between the task model and its wire form: states and errors (times: <see cref="UnixTime"/>).</summary>
internal static class WireConversions
{
    /// <summary>The state an outcome stands for.</summary>
    public static TaskState ToState(this TaskOutcome outcome) => outcome switch
    {
        TaskOutcome.Succeeded => TaskState.Succeeded,
        TaskOutcome.TimedOut => TaskState.TimedOut,
        TaskOutcome.Cancelled => TaskState.Cancelled,
        TaskOutcome.Killed => TaskState.Killed,
        _ => TaskState.Failed,
    };

    /// <summary>The outcome that carries a state.</summary>
    public static TaskOutcome ToOutcome(this TaskState state) => state switch
    {
        TaskState.Succeeded => TaskOutcome.Succeeded,
        TaskState.TimedOut => TaskOutcome.TimedOut,
        TaskState.Cancelled => TaskOutcome.Cancelled,
        TaskState.Killed => TaskOutcome.Killed,
        _ => TaskOutcome.Failed,
    };

    /// <summary>A report as its client receives it, with the tag the client gave the task.</summary>
    public static TaskReportMessage ToWire(this TaskReport report, long tag)
    {
        ArgumentNullException.ThrowIfNull(report);
        var wire = new TaskReportMessage
        {
            Tag = tag,
            Id = report.Id,
            Name = report.Name,
            Outcome = report.State.ToOutcome(),
            Worker = report.Worker ?? string.Empty,
            StartedUnixUs = UnixTime.ToMicroseconds(report.Started),
            FinishedUnixUs = UnixTime.ToMicroseconds(report.Finished),
            Attempts = report.Attempts,
            Output = report.Output ?? string.Empty,
        };
        wire.Cores.AddRange(report.Cores);
        if (report.ResultJson is { } json)
        {
            wire.ResultJson = Google.Protobuf.ByteString.CopyFromUtf8(json);
        }

        if (report.Error is { } error)
        {
            wire.Error = error.ToWire();
        }

        return wire;
    }

    /// <summary>A client's task as the scheduler takes it.</summary>
    /// <param name="spec">As the client sent it.</param>
    /// <param name="journalSpec">Its encoding, to journal; null when it is not journaled.</param>
    public static SubmittedTask ToSubmitted(this SubmittedTaskSpec spec, byte[]? journalSpec = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new SubmittedTask(spec.Name, spec.Assignment ?? new TaskAssignment())
        {
            Cores = spec.Cores,
            Priority = spec.Priority,
            Retries = spec.Retries,
            Tag = spec.Tag,
            TargetNode = spec.HasTargetNode ? spec.TargetNode : null,
            TargetWorker = spec.HasTargetWorker ? spec.TargetWorker : null,
            JournalSpec = journalSpec,
        };
    }

    /// <summary>A wire error as the model's, its causes cut to <see cref="RemoteErrorBounds"/>.</summary>
    /// <remarks>The error comes from a peer (a node, or the scheduler for a client): however deep or wide its chain, only the bounded part is read.</remarks>
    public static FuncExec.RemoteError ToModel(this Protocol.V1.RemoteError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(error.Type, error.Message, error.StackTrace.Length == 0 ? null : error.StackTrace, error.Retryable)
        {
            Inner = error.Inner.Count == 0
                ? []
                : RemoteErrorBounds.Causes(error, static e => e.Inner, static e => RemoteErrorBounds.Cause(e.Type, e.Message, e.StackTrace)),
        };
    }

    /// <summary>The model's error on the wire, its causes cut to <see cref="RemoteErrorBounds"/>.</summary>
    public static Protocol.V1.RemoteError ToWire(this FuncExec.RemoteError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var wire = new Protocol.V1.RemoteError { Type = error.Type, Message = error.Message, StackTrace = error.StackTrace ?? string.Empty, Retryable = error.Retryable };
        if (error.Inner.Count > 0)
        {
            RemoteErrorBounds.Walk(error, wire, static e => e.Inner, static e => CauseToWire(e), static (parent, causes) => parent.Inner.AddRange(causes));
        }

        return wire;
    }

    private static Protocol.V1.RemoteError CauseToWire(FuncExec.RemoteError cause)
    {
        var bounded = RemoteErrorBounds.Cause(cause.Type, cause.Message, cause.StackTrace);
        return new() { Type = bounded.Type, Message = bounded.Message, StackTrace = bounded.StackTrace ?? string.Empty };
    }
}
