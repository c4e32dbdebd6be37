namespace FuncExec;

/// <summary>
/// Pilot jobs did not give the nodes waited for: a job still pending (with the manager's reason, such as
/// <c>Resources</c> or <c>PartitionNodeLimit</c>), a job that ended before its node joined (with its state and
/// log), or a job running whose node did not join the scheduler (with the node's log).
/// </summary>
public sealed class PilotJobException : FuncExecException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="jobId">The job the message is about.</param>
    /// <param name="message">What happened and where to look.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public PilotJobException(string jobId, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        JobId = jobId;
    }

    /// <summary>The job the message is about.</summary>
    public string JobId { get; }
}
