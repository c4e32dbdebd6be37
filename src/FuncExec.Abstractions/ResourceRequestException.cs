namespace FuncExec;

/// <summary>A task asks for resources no node of the cluster has; it was refused at submission.</summary>
public sealed class ResourceRequestException : FuncExecException
{
    /// <summary>Creates the exception.</summary>
    public ResourceRequestException(string message)
        : base(message)
    {
    }
}
