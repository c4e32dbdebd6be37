namespace FuncExec;

/// <summary>The base of every error FuncExec reports to its user.</summary>
public abstract class FuncExecException : Exception
{
    /// <summary>Creates the exception with the message the user will read.</summary>
    protected FuncExecException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
