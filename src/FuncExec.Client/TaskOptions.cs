namespace FuncExec;

/// <summary>How one task runs.</summary>
/// <remarks>Defaults: one core, priority 0, no timeout, no retries, anywhere.</remarks>
public sealed record TaskOptions
{
    /// <summary>The defaults.</summary>
    public static TaskOptions Default { get; } = new();

    /// <summary>A name for reports and displays; defaults to the method's name.</summary>
    public string? Name { get; init; }

    /// <summary>Cores it holds, all of one node, all in its affinity.</summary>
    public int Cores { get; init; } = 1;

    /// <summary>Among the computation's queued tasks, higher runs first.</summary>
    public int Priority { get; init; }

    /// <summary>Killed (its worker replaced) when it runs longer.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Further attempts after a failure a retry may mend (a crash, a timeout, a thrown exception).</summary>
    public int Retries { get; init; }

    /// <summary>
    /// <c>MapAsync</c> only: items per task. Null (the default) picks items ÷ (4 × workers), rounded up, as
    /// Python's <c>Pool.map</c> does, so many tiny calls travel as a few tasks; 1 makes one task per item,
    /// best when each item is long. A chunk runs its items in order on one worker and fails (or is retried)
    /// as a whole when one of them throws.
    /// </summary>
    public int? ChunkSize { get; init; }
}
