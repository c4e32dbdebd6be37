namespace FuncExec.Node;

/// <summary>How a node starts its workers.</summary>
/// <remarks>
/// Defaults: the machine's host name; one worker per core this process may use; components
/// stored under the temporary directory in <c>funcexec-USER/components</c>, up to 2 GiB.
/// </remarks>
internal sealed record NodeOptions
{
    /// <summary>The defaults.</summary>
    public static NodeOptions Default { get; } = new();

    /// <summary>The node's name, shown in worker names.</summary>
    public string Name { get; init; } = Environment.MachineName;

    /// <summary>Workers to start: N &gt; 0 starts N; 0 starts one per core; -N keeps N cores back.</summary>
    public int Workers { get; init; }

    /// <summary>Where components are cached, by content hash.</summary>
    public string? DestPath { get; init; }

    /// <summary>The most bytes of components cached in <see cref="DestPath"/>; past it the least recently used ones no
    /// open computation uses are removed.</summary>
    /// <remarks>Default: 2 GiB.</remarks>
    public long MaxStoreSize { get; init; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Keep one extra worker process started and connected, so a worker that dies or is
    /// killed is replaced in a hand-over instead of a process start.</summary>
    public bool WarmSpare { get; init; } = true;

    /// <summary>Environment variables set for its worker processes, over those they inherit from the node's
    /// (e.g. <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> for the workers of one embedded cluster alone).</summary>
    public IReadOnlyDictionary<string, string> WorkerEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>How long a worker may take to start and say hello before it counts as failed.</summary>
    public TimeSpan WorkerStartTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
