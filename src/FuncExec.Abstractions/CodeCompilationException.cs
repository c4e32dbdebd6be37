namespace FuncExec;

/// <summary>A code string did not compile.</summary>
public sealed class CodeCompilationException : FuncExecException
{
    /// <summary>Creates the exception.</summary>
    public CodeCompilationException(string message, IReadOnlyList<CompilationError> errors)
        : base(message)
    {
        Errors = errors;
    }

    /// <summary>Each error with its line and column in the user's code (1-based).</summary>
    public IReadOnlyList<CompilationError> Errors { get; }
}

/// <summary>One compiler error in a code string.</summary>
/// <param name="Line">1-based line in the user's code.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Id">The compiler's id, e.g. <c>CS0103</c>.</param>
/// <param name="Message">The compiler's message.</param>
public sealed record CompilationError(int Line, int Column, string Id, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"({Line},{Column}): error {Id}: {Message}";
}
