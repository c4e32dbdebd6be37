namespace FuncExec;

/// <summary>A component (assembly or file) of a computation was refused: over the size cap, or unreadable.</summary>
public sealed class ComponentRefusedException : FuncExecException
{
    /// <summary>Creates the exception.</summary>
    public ComponentRefusedException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
