namespace FuncExec.Slurm.Pilots;

/// <summary>One pilot job to submit: how many hosts, for how long, and the node each runs.</summary>
internal sealed record PilotRequest
{
    /// <summary><c>host:port</c> the nodes dial, as the compute hosts must see it.</summary>
    public required string Scheduler { get; init; }

    /// <summary>Hosts in the job; one node each.</summary>
    public required int Nodes { get; init; }

    /// <summary>Cores per host (the node's workers); null for whole hosts.</summary>
    public int? CpusPerNode { get; init; }

    /// <summary>The partition (queue); null for the manager's default.</summary>
    public string? Partition { get; init; }

    /// <summary>The time limit as the manager writes it (<c>01:00:00</c>); null for the partition's default.</summary>
    public string? Time { get; init; }

    /// <summary>The account charged; null for the user's default.</summary>
    public string? Account { get; init; }

    /// <summary>More options for the manager's submit command, passed as they are.</summary>
    public IReadOnlyList<string> ExtraSubmitArgs { get; init; } = [];

    /// <summary>How long before the time limit the nodes are told to drain.</summary>
    public TimeSpan DrainMargin { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The cluster secret; reaches the nodes through the environment only, never a command line or a file.</summary>
    public string? Secret { get; init; }

    /// <summary>The scheduler's certificate (a path the compute hosts can read) for the node's <c>--certfile</c>.</summary>
    public string? CertFile { get; init; }

    /// <summary>The certificate's key (a path readable on the compute hosts, by this user only), for mutual TLS.</summary>
    public string? KeyFile { get; init; }

    /// <summary>Where the job's and the nodes' logs go: a folder the compute hosts can write.</summary>
    public required string LogDirectory { get; init; }

    /// <summary>The words that start <c>funcexec</c> on a compute host (<c>dotnet /path/funcexec.dll</c>).</summary>
    public required IReadOnlyList<string> Funcexec { get; init; }

    /// <summary>More arguments for every <c>funcexec node</c>, passed as they are.</summary>
    public IReadOnlyList<string> NodeArgs { get; init; } = [];

    /// <summary>
    /// How long each node lets running tasks finish once told to drain: the margin less 10 s, so it
    /// has left before the job's end, and never less than half the margin.
    /// </summary>
    public TimeSpan DrainTimeout =>
        TimeSpan.FromSeconds(Math.Max(DrainMargin.TotalSeconds - 10, DrainMargin.TotalSeconds / 2));
}
