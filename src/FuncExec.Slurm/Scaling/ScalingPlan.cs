namespace FuncExec.Slurm.Scaling;

/// <summary>What to do to reach a node count: jobs to submit, queued (or not yet joined) jobs to cancel, running ones to drain.</summary>
internal sealed record ScalingPlan(int Submit, IReadOnlyList<PilotView> Cancel, IReadOnlyList<PilotView> Drain)
{
    /// <summary>Nothing to do.</summary>
    public bool IsEmpty => Submit == 0 && Cancel.Count == 0 && Drain.Count == 0;
}
