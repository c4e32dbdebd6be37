namespace FuncExec;

/// <summary>A pilot job of a <see cref="SlurmCluster"/>, as Slurm and the scheduler last saw it.</summary>
/// <param name="Id">Slurm's job id.</param>
/// <param name="State">Slurm's state word: <c>PENDING</c>, <c>RUNNING</c>, <c>COMPLETING</c>, ...</param>
/// <param name="Reason">Why it waits, as squeue says (<c>Resources</c>, <c>Priority</c>); empty when it gives none.</param>
/// <param name="Host">The host it runs on; null while it waits.</param>
/// <param name="Node">The name its node joins the scheduler under (<c>HOST-JOBID</c>); null while it waits.</param>
/// <param name="Joined">Its node is in the scheduler.</param>
/// <param name="Draining">It was told to drain and leave.</param>
/// <param name="Log">The job's log; its node's is <c>pilot-JOBID-HOST.log</c> beside it.</param>
public sealed record SlurmPilotJob(string Id, string State, string Reason, string? Host, string? Node, bool Joined, bool Draining, string Log);
