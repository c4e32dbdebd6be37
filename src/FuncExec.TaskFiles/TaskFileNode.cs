namespace FuncExec.TaskFiles;

/// <summary>
/// A node of a parsed task file, the same for YAML and JSON, so that one validator with line
/// numbers serves both formats.
/// </summary>
internal abstract class TaskFileNode
{
    protected TaskFileNode(int line, int column)
    {
        Line = line;
        Column = column;
    }

    /// <summary>1-based line where the node starts.</summary>
    public int Line { get; }

    /// <summary>1-based column where the node starts.</summary>
    public int Column { get; }

    /// <summary>How the node reads in an error message, e.g. <c>a list</c> or <c>'many'</c>.</summary>
    public abstract string Describe();
}
