namespace FuncExec.Slurm.Scaling;

/// <summary>One pilot job that counts toward the nodes a cluster has (not told to stop), as a scaling decision weighs it.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Pending">Still queued in the resource manager.</param>
/// <param name="Joined">Its node is in the scheduler.</param>
/// <param name="Idle">How long its node has had nothing to do; null while it works or has not joined.</param>
/// <param name="Node">Its node's name once it runs, else null.</param>
internal sealed record PilotView(string JobId, bool Pending, bool Joined, TimeSpan? Idle, string? Node = null);
