using FuncExec.Core.Tasks;
using FuncExec.Protocol.V1;

namespace FuncExec.Scheduler;

/// <summary>Between the task model and its wire form, one mapper each way: reports, states and errors (times: <see cref="UnixTime"/>).
/// A task goes out as the wire's own <c>SubmittedTaskSpec</c>, which the scheduler keeps as it is.</summary>
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
        if (report.ResultUtf8 is { IsEmpty: false } json)
        {
            // Shared, not copied: a report's bytes are never changed.
            wire.ResultJson = Google.Protobuf.UnsafeByteOperations.UnsafeWrap(json);
        }

        if (report.Error is { } error)
        {
            wire.Error = error.ToWire();
        }

        return wire;
    }

    /// <summary>A report as its client reads it; the tag stays on the wire form.</summary>
    public static TaskReport ToModel(this TaskReportMessage report) => report.ToModel(null, null, null);

    /// <summary>A report as its client reads it, with strings and a core list the client already holds in place of the
    /// message's equal ones, so that the reports it keeps share them (<c>null</c>: the message's own).</summary>
    /// <param name="report">The message.</param>
    /// <param name="name">A string equal to <c>report.Name</c>.</param>
    /// <param name="worker">A string equal to <c>report.Worker</c>, or null for the message's.</param>
    /// <param name="cores">A read-only list equal to <c>report.Cores</c>, or null for a copy of the message's.</param>
    public static TaskReport ToModel(this TaskReportMessage report, string? name, string? worker, IReadOnlyList<int>? cores)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new()
        {
            Id = report.Id,
            Name = name ?? report.Name,
            State = report.Outcome.ToState(),
            ResultUtf8 = report.ResultJson.Memory,
            Error = report.Error?.ToModel(),
            Worker = report.Worker.Length == 0 ? null : worker ?? report.Worker,
            Cores = cores ?? [.. report.Cores],
            Started = UnixTime.FromMicroseconds(report.StartedUnixUs),
            Finished = UnixTime.FromMicroseconds(report.FinishedUnixUs),
            Attempts = report.Attempts,
            Output = report.Output.Length == 0 ? null : report.Output,
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
