
namespace FuncExec.Cli.SshCluster;

/// <summary>A hosts file that cannot be used; the message reads <c>file:line:column: problem</c>, as task-file errors do.</summary>
internal sealed class HostsFileException : FuncExecException
{
    /// <summary>Creates the exception for a problem at a line and column (1-based; 0 for the whole file).</summary>
    public HostsFileException(string path, int line, int column, string problem, Exception? innerException = null)
        : base(line > 0 ? $"{path}:{line}:{column}: {problem}" : $"{path}: {problem}", innerException)
    {
        Line = line;
    }

    /// <summary>1-based line, or 0 when the problem is with the whole file.</summary>
    public int Line { get; }
}
