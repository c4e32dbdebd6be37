namespace FuncExec;

/// <summary>
/// A message did not reach its target: the task has finished, does not exist, or belongs to another
/// computation or client; or, for a message a task sent to its client, the client is gone.
/// </summary>
/// <remarks>
/// Thrown by <c>RemoteTask.SendAsync</c> on the client and by
/// <see cref="TaskContext.SendAsync{T}(long, T, CancellationToken)"/> in a running task.
/// </remarks>
public sealed class MessageNotDeliveredException : FuncExecException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="taskId">The task the message was for; 0 for the client of the task that sent it.</param>
    /// <param name="reason">Why it could not go, as the scheduler said.</param>
    public MessageNotDeliveredException(long taskId, string reason)
        : base($"the message to {(taskId == 0 ? "the client" : $"task {taskId}")} was not delivered: {reason}")
    {
        TaskId = taskId;
        Reason = reason;
    }

    /// <summary>The task the message was for; 0 for the client of the task that sent it.</summary>
    public long TaskId { get; }

    /// <summary>Why it could not go.</summary>
    public string Reason { get; }
}
