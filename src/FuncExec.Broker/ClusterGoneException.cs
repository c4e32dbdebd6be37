
namespace FuncExec;

/// <summary>A <see cref="BrokerServer"/> stopped because its cluster can run nothing more (the scheduler it
/// submitted to went away); the tasks it held went back to the queue for another server.</summary>
public sealed class ClusterGoneException : FuncExecException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened, for the user.</param>
    /// <param name="innerException">The cluster's own error.</param>
    public ClusterGoneException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
