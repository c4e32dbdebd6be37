namespace FuncExec;

/// <summary>How a <see cref="SlurmCluster"/> reaches its scheduler and what each of its pilot jobs asks Slurm for.</summary>
/// <remarks>
/// Defaults: one-node jobs of whole hosts (<c>--exclusive</c>) in the default partition, account and time limit;
/// nodes told to drain 60 s before the limit; <c>funcexec</c> on the compute hosts' PATH; logs under
/// <c>~/.funcexec/slurm</c>; adaptation looks every 5 s and removes nodes idle for 60 s.
/// </remarks>
public sealed record SlurmClusterOptions
{
    /// <summary><c>host:port</c> of the scheduler, as both this program and the compute hosts reach it.</summary>
    public required string Scheduler { get; init; }

    /// <summary>This program's connection to the scheduler; its <see cref="RemoteClusterOptions.Security"/> (secret,
    /// certificate, key) is also what each node is given.</summary>
    /// <remarks>With no secret there, the <c>FUNCEXEC_SECRET</c> environment variable's. The secret reaches the
    /// nodes through the job's environment (<c>sbatch --export=ALL</c>), never a command line or a file.</remarks>
    public RemoteClusterOptions Connection { get; init; } = RemoteClusterOptions.Default;

    /// <summary>The Slurm partition; null for the cluster's default.</summary>
    public string? Partition { get; init; }

    /// <summary>Each job's time limit as sbatch takes it (<c>01:00:00</c>, <c>2-00:00:00</c>); null for the partition's default.</summary>
    public string? Time { get; init; }

    /// <summary>Cores of each node (one worker each); null for whole hosts (<c>--exclusive</c>).</summary>
    /// <remarks>Adaptation divides the cores work asks for by this; for whole hosts it uses the cores of the first of
    /// its nodes to join, and asks for one node until then.</remarks>
    public int? CpusPerNode { get; init; }

    /// <summary>The Slurm account charged; null for the user's default.</summary>
    public string? Account { get; init; }

    /// <summary>More sbatch options, passed as they are (<c>--qos=debug</c>, <c>--mem=8G</c>).</summary>
    public IReadOnlyList<string> SbatchArgs { get; init; } = [];

    /// <summary>More <c>funcexec node</c> options, passed as they are.</summary>
    public IReadOnlyList<string> NodeArgs { get; init; } = [];

    /// <summary>How long before the time limit a node is told to drain: it takes no more work, lets running tasks
    /// finish for the margin less 10 s, and leaves; tasks still running then are requeued without an attempt charged.</summary>
    public TimeSpan DrainMargin { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The words that start funcexec on a compute host, e.g. <c>["dotnet", "/shared/funcexec/funcexec.dll"]</c>.</summary>
    public IReadOnlyList<string> Funcexec { get; init; } = ["funcexec"];

    /// <summary>Where the jobs' and nodes' logs go: a folder the compute hosts can write (a shared file system);
    /// null for <c>~/.funcexec/slurm</c>.</summary>
    public string? LogDirectory { get; init; }

    /// <summary>How long a node must have been idle before adaptation removes it.</summary>
    public TimeSpan IdlePeriod { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often adaptation weighs the work against the nodes.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);
}
