namespace FuncExec;

/// <summary>The resource manager refused a request (a job, a query, a cancel), or did not answer; the message carries its own words.</summary>
public sealed class PilotRefusedException : FuncExecException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was refused, with the manager's message.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public PilotRefusedException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
