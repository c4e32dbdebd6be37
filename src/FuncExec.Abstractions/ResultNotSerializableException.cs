namespace FuncExec;

/// <summary>A task ran, but what it returned cannot be written as JSON (a stream, a cycle of references, a handle).</summary>
internal sealed class ResultNotSerializableException : FuncExecException
{
    /// <summary>Creates the exception.</summary>
    public ResultNotSerializableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
