namespace FuncExec;

/// <summary>What a task calls.</summary>
public enum FunctionKind
{
    /// <summary>A public static method named by its full name, e.g. <c>System.Math.Max</c>.</summary>
    Method,

    /// <summary>A C# source string, compiled once per content hash.</summary>
    Code,

    /// <summary>An executable with arguments, run as a pinned child process.</summary>
    Command,
}
