using FuncExec.Core.Tasks;
using FuncExec.Protocol.V1;

namespace FuncExec.Scheduler;

/// <summary>Between the task model and its wire form: states and errors (times: <see cref="UnixTime"/>).</summary>
public static class WireConversions
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

    /// <summary>A wire error as the model's.</summary>
    public static Core.Tasks.RemoteError ToModel(this Protocol.V1.RemoteError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(error.Type, error.Message, error.StackTrace.Length == 0 ? null : error.StackTrace, error.Retryable);
    }

    /// <summary>The model's error on the wire.</summary>
    public static Protocol.V1.RemoteError ToWire(this Core.Tasks.RemoteError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new() { Type = error.Type, Message = error.Message, StackTrace = error.StackTrace ?? string.Empty, Retryable = error.Retryable };
    }
}
