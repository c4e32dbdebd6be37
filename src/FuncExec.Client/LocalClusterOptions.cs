using FuncExec.Dashboard;
using FuncExec.Scheduler.Queueing;
using Microsoft.Extensions.Logging;

namespace FuncExec;

/// <summary>How the embedded local cluster starts.</summary>
/// <remarks>
/// Defaults: one worker per core; <see cref="TaskOrder.Priority"/> order; components and
/// compiled code cached under the temporary directory in <c>funcexec-USER</c>; no dashboard; no logging.
/// </remarks>
public sealed record LocalClusterOptions
{
    /// <summary>The defaults.</summary>
    public static LocalClusterOptions Default { get; } = new();

    /// <summary>Workers to start: N &gt; 0 starts N; 0 one per core; -N keeps N cores back.</summary>
    public int Workers { get; init; }

    /// <summary>The order queued tasks are placed in.</summary>
    public TaskOrder Order { get; init; } = TaskOrder.Priority;

    /// <summary>Where the node caches components; null for the default.</summary>
    public string? DestPath { get; init; }

    /// <summary>Where compiled code strings are cached between runs; null for the default.</summary>
    public string? CodeCachePath { get; init; }

    /// <summary>Keep a warm spare worker process, so a crashed or killed worker is replaced at once (default true).</summary>
    public bool WarmSpare { get; init; } = true;

    /// <summary>The largest component file (assembly or data file) a computation may ship, in bytes.</summary>
    /// <remarks>Default: 1 GiB.</remarks>
    public long MaxFileSize { get; init; } = 1L << 30;

    /// <summary>Record a profile of the run to this CSV file (see <c>funcexec report</c>), or none when null.</summary>
    public string? ProfilePath { get; init; }

    /// <summary>Serve the live web dashboard (the scheduler's, see <c>funcexec scheduler</c>) while the cluster runs,
    /// at <see cref="LocalCluster.DashboardUrl"/>; none when null (the default).</summary>
    /// <example><c>new LocalClusterOptions { Dashboard = new DashboardOptions { Port = 0 } }</c> serves it on a free port of 127.0.0.1.</example>
    public DashboardOptions? Dashboard { get; init; }

    /// <summary>Where the cluster logs.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Environment variables for the worker processes over the ones they inherit from this process (tests give
    /// one cluster's workers an OTLP endpoint without touching the test process's environment).</summary>
    internal IReadOnlyDictionary<string, string>? WorkerEnvironment { get; init; }
}
