namespace FuncExec.Slurm.Pilots;

/// <summary>The outcome of a wait, with the job as last seen and the hosts whose nodes had not joined.</summary>
internal sealed record PilotWaitResult(PilotWaitOutcome Outcome, PilotJob? Job, IReadOnlyList<string> Missing, TimeSpan Elapsed);
