using FuncExec.Slurm.Pilots;

namespace FuncExec.Slurm.Scaling;

/// <summary>A pilot job a <see cref="SlurmCluster"/> submitted and still answers for. Changed under the cluster's gate only.</summary>
internal sealed class OwnedPilot(string id, long submittedAt)
{
    public string Id { get; } = id;

    public long SubmittedAt { get; } = submittedAt;

    /// <summary>The job as the manager last listed it; null until it has.</summary>
    public PilotJob? Job { get; set; }

    /// <summary>Its node's name once it runs.</summary>
    public string? Node { get; set; }

    /// <summary>Its node is in the scheduler now.</summary>
    public bool Joined { get; set; }

    /// <summary>Its node was in the scheduler at some time.</summary>
    public bool EverJoined { get; set; }

    /// <summary>When it was told to drain or cancelled; null while it counts toward the nodes.</summary>
    public long? StoppedAt { get; set; }

    /// <summary>Cancelled outright (not only drained).</summary>
    public bool Cancelled { get; set; }

    /// <summary>The pending reason last reported, so each is reported once.</summary>
    public string ReportedReason { get; set; } = "";
}
