namespace FuncExec;

/// <summary>A task file could not be read: its path, the line, and what is wrong.</summary>
internal sealed class TaskFileException : FuncExecException
{
    /// <summary>Creates the exception; the message reads <c>file:line:column: problem</c>.</summary>
    public TaskFileException(string path, int line, int column, string problem, Exception? innerException = null)
        : base(line > 0 ? $"{path}:{line}:{column}: {problem}" : $"{path}: {problem}", innerException)
    {
        Path = path;
        Line = line;
        Column = column;
        Problem = problem;
    }

    /// <summary>The task file.</summary>
    public string Path { get; }

    /// <summary>1-based line, or 0 when the problem is with the whole file.</summary>
    public int Line { get; }

    /// <summary>1-based column, or 0.</summary>
    public int Column { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }
}
