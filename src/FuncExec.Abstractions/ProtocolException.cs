namespace FuncExec;

/// <summary>
/// The scheduler could not be talked to as a FuncExec scheduler: it refused the cluster secret, the TLS
/// certificate did not match, it speaks another protocol version, or it broke the protocol.
/// </summary>
/// <remarks>
/// The message says which side is misconfigured and what to change (for example the secret file to pass,
/// or the certificate to pin). Retrying without changing the configuration gives the same error; for a
/// scheduler that is not running or not reachable, <see cref="SchedulerUnreachableException"/> is thrown
/// instead.
/// </remarks>
public sealed class ProtocolException : FuncExecException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, and what to change.</param>
    /// <param name="innerException">The failure inside the connection layer, if any.</param>
    public ProtocolException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
