namespace FuncExec;

/// <summary>Work was handed to a computation that is closed (or was never opened).</summary>
public sealed class ComputationClosedException : FuncExecException
{
    /// <summary>Creates the exception.</summary>
    public ComputationClosedException(string message)
        : base(message)
    {
    }
}
