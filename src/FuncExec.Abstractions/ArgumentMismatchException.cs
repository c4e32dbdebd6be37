namespace FuncExec;

/// <summary>A method exists but none of its overloads accepts the task's arguments.</summary>
internal sealed class ArgumentMismatchException : FuncExecException
{
    /// <summary>Creates the exception.</summary>
    public ArgumentMismatchException(string functionName, string message, IReadOnlyList<string> overloads)
        : base(message)
    {
        FunctionName = functionName;
        Overloads = overloads;
    }

    /// <summary>The method's full name.</summary>
    public string FunctionName { get; }

    /// <summary>The signatures that exist, as C# would print them.</summary>
    public IReadOnlyList<string> Overloads { get; }
}
