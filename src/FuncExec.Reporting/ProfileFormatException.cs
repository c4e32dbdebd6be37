
namespace FuncExec.Reporting;

/// <summary>A profile CSV could not be read: the file, the line, and what is wrong with it.</summary>
internal sealed class ProfileFormatException : FuncExecException
{
    /// <summary>Creates the exception; the message reads <c>file:line: problem</c>.</summary>
    public ProfileFormatException(string path, int line, string problem)
        : base(line > 0 ? $"{path}:{line}: {problem}" : $"{path}: {problem}")
    {
        Path = path;
        Line = line;
        Problem = problem;
    }

    /// <summary>The profile's path, as it was given.</summary>
    public string Path { get; }

    /// <summary>The 1-based line where the bad record starts, or 0 when the problem is with the whole file.</summary>
    public int Line { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }
}
