namespace FuncExec;

/// <summary>
/// A lambda given to run remotely is not a call FuncExec can send: its body is not a call to a public
/// static method, or an argument cannot be evaluated on the client or written as JSON.
/// </summary>
public sealed class LambdaNotSupportedException : FuncExecException
{
    /// <summary>Creates the exception with a message that says what to write instead.</summary>
    public LambdaNotSupportedException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
