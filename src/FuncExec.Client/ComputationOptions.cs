using System.Reflection;

namespace FuncExec;

/// <summary>How a computation is opened by <see cref="ICluster.ScheduleAsync"/>.</summary>
/// <remarks>
/// Defaults: shared, no extra components, a 30 s timeout for scheduler replies, no status callback.
/// The assembly of every lambda's method is shipped without being listed here.
/// </remarks>
public sealed record ComputationOptions
{
    /// <summary>A name for status displays; defaults to the entry assembly's name.</summary>
    public string? Name { get; init; }

    /// <summary>
    /// Assemblies its tasks need on every node beyond those of the methods they call (each travels
    /// with the assemblies beside it). Loaded in a collectible load context of this computation,
    /// unloaded when it closes.
    /// </summary>
    public IList<Assembly> Components { get; init; } = [];

    /// <summary>Files its tasks need (data, configuration, native libraries): put in the computation's
    /// folder on every node, which is the working directory of its tasks (<c>TaskContext.Directory</c>).</summary>
    public IList<string> Files { get; init; } = [];

    /// <summary>
    /// Exclusive computations are queued first come, first served, and hold every worker while open:
    /// no other computation's task starts until it closes. Shared ones (the default) run side by side,
    /// each getting an even share of the workers.
    /// </summary>
    public bool Exclusive { get; init; }

    /// <summary>How long to wait for the scheduler to accept a request (submission, message, cancel);
    /// <see cref="ICluster.ScheduleAsync"/> of an exclusive computation waits for its turn regardless.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Pulse interval towards the scheduler; the connection's own (see <see cref="RemoteClusterOptions"/>)
    /// is used when null. A peer silent for 5 intervals is declared lost.</summary>
    public TimeSpan? PulseInterval { get; init; }
}
