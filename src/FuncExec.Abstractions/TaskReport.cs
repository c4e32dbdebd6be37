namespace FuncExec;

/// <summary>What became of a task: its final state, result or error, and where and when it ran.</summary>
public sealed record TaskReport
{
    /// <summary>The id the scheduler gave the task at submission.</summary>
    public required long Id { get; init; }

    /// <summary>The task's name.</summary>
    public required string Name { get; init; }

    /// <summary>The final state.</summary>
    public required TaskState State { get; init; }

    /// <summary>The return value as JSON text, when the task returned one (commands also on failure).</summary>
    public string? ResultJson { get; init; }

    /// <summary>Why the task did not succeed.</summary>
    public RemoteError? Error { get; init; }

    /// <summary>The worker of the last attempt, as <c>node/worker-N</c>; null if it never ran.</summary>
    public string? Worker { get; init; }

    /// <summary>The cores of the last attempt.</summary>
    public IReadOnlyList<int> Cores { get; init; } = [];

    /// <summary>When the last attempt started, if it did.</summary>
    public DateTimeOffset? Started { get; init; }

    /// <summary>When the last attempt ended.</summary>
    public DateTimeOffset? Finished { get; init; }

    /// <summary>How many attempts ran.</summary>
    public int Attempts { get; init; }

    /// <summary>What the last attempt printed to standard output and error (method and code tasks; commands
    /// return theirs in the result), or null if nothing.</summary>
    public string? Output { get; init; }
}
