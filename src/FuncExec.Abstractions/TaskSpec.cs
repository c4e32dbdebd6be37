using System.Text.Json;

namespace FuncExec;

/// <summary>
/// One function call as a user describes it: what to call, with which arguments, and the
/// resources and policies it runs under.
/// </summary>
/// <remarks>
/// Exactly one of <see cref="Function"/>, <see cref="Code"/> or <see cref="Command"/> is set,
/// as <see cref="Kind"/> says. Defaults: one core, priority 0, no timeout, no retries.
/// </remarks>
public sealed partial record TaskSpec
{
    /// <summary>The task's name, shown in results; defaults to <c>task-N</c> by position.</summary>
    public required string Name { get; init; }

    /// <summary>Which of the function fields is set.</summary>
    public required FunctionKind Kind { get; init; }

    /// <summary>Full name of a static method (<see cref="FunctionKind.Method"/>).</summary>
    public string? Function { get; init; }

    /// <summary>The method's arguments as JSON values (<see cref="FunctionKind.Method"/>), or
    /// the values a code string sees as <c>args</c> (<see cref="FunctionKind.Code"/>).</summary>
    public IReadOnlyList<JsonElement> Params { get; init; } = [];

    /// <summary>C# source: statements, optionally ending with <c>return value;</c>, or a single
    /// expression (<see cref="FunctionKind.Code"/>).</summary>
    public string? Code { get; init; }

    /// <summary>Executable to run (<see cref="FunctionKind.Command"/>), found on PATH if not a path.</summary>
    public string? Command { get; init; }

    /// <summary>Command-line arguments of <see cref="Command"/>.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Path of an assembly outside the framework that holds <see cref="Function"/>.</summary>
    public string? Assembly { get; init; }

    /// <summary>Cores the task holds while it runs; all of them are in its CPU affinity.</summary>
    public int Cores { get; init; } = 1;

    /// <summary>Higher runs first under the default order.</summary>
    public int Priority { get; init; }

    /// <summary>Wall-clock limit of one attempt; the worker is killed and replaced past it.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Further attempts after a failure, a worker crash or a timeout.</summary>
    public int Retries { get; init; }

    /// <summary>Where the task was defined (task file and line), for error messages.</summary>
    public string? Source { get; init; }
}
