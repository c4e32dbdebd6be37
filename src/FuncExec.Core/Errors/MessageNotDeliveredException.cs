namespace FuncExec.Core.Errors;

/// <summary>A message could not go to its task: the task has finished, or belongs to someone else.</summary>
public sealed class MessageNotDeliveredException : FuncExecException
{
    /// <summary>Creates the exception.</summary>
    public MessageNotDeliveredException(long taskId, string reason)
        : base($"message to task {taskId} not delivered: {reason}")
    {
        TaskId = taskId;
        Reason = reason;
    }

    /// <summary>The task the message was for.</summary>
    public long TaskId { get; }

    /// <summary>Why it could not go.</summary>
    public string Reason { get; }
}
