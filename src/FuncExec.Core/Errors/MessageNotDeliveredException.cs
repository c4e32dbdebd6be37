namespace FuncExec.Core.Errors;

/// <summary>
/// A message a task sent with <see cref="TaskContext.SendAsync{T}(long, T, CancellationToken)"/> did not reach
/// its target: the target task does not exist, is not of the sender's computation, has ended, or the client is gone.
/// </summary>
public sealed class MessageNotDeliveredException : FuncExecException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="targetTask">The task the message was for; 0 for the client.</param>
    /// <param name="reason">Why it was not delivered, as the scheduler said.</param>
    public MessageNotDeliveredException(long targetTask, string reason)
        : base($"the message to {(targetTask == 0 ? "the client" : $"task {targetTask}")} was not delivered: {reason}")
    {
        TargetTask = targetTask;
        Reason = reason;
    }

    /// <summary>The task the message was for; 0 for the client that submitted the sender.</summary>
    public long TargetTask { get; }

    /// <summary>Why it was not delivered.</summary>
    public string Reason { get; }
}
