namespace FuncExec;

/// <summary>No public static method, or no type, has the name a task gave.</summary>
internal sealed class FunctionNotFoundException : FuncExecException
{
    /// <summary>Creates the exception.</summary>
    public FunctionNotFoundException(string functionName, string message, IReadOnlyList<string> suggestions)
        : base(message)
    {
        FunctionName = functionName;
        Suggestions = suggestions;
    }

    /// <summary>The name the task gave.</summary>
    public string FunctionName { get; }

    /// <summary>Close names that do exist, best first.</summary>
    public IReadOnlyList<string> Suggestions { get; }
}
