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
    /// Python's <c>Pool.map</c> does, but at most <see cref="MaxAutomaticChunkSize"/>, so many tiny calls travel
    /// as a few tasks and a long map streams through the workers (each chunk's results are read while the
    /// workers run the next ones); 1 makes one task per item, best when each item is long. A chunk runs its
    /// items in order on one worker and fails (or is retried) as a whole when one of them throws.
    /// </summary>
    public int? ChunkSize { get; init; }

    /// <summary>The most items an automatic <see cref="ChunkSize"/> puts in one task: 5,000.</summary>
    /// <remarks>A chunk of 5,000 small items is tens of kilobytes of JSON each way, under the size at which .NET
    /// allocates buffers on the large object heap; a larger chunk costs the client and the workers more in
    /// collections than it saves in tasks. Set <see cref="ChunkSize"/> to go above it.</remarks>
    public const int MaxAutomaticChunkSize = 5_000;
}
