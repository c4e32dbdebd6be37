namespace FuncExec.Cli.Slurm;

/// <summary>How waiting for a pilot job's nodes to join ended.</summary>
internal enum PilotWaitOutcome
{
    /// <summary>Every node of the job is in the scheduler.</summary>
    Joined,

    /// <summary>The job still waits in the queue.</summary>
    Pending,

    /// <summary>The job runs, but some of its nodes have not joined.</summary>
    NotJoined,

    /// <summary>The job ended (or was forgotten by the manager) before all its nodes joined.</summary>
    Ended,
}

/// <summary>The outcome of a wait, with the job as last seen and the hosts whose nodes had not joined.</summary>
internal sealed record PilotWaitResult(PilotWaitOutcome Outcome, PilotJob? Job, IReadOnlyList<string> Missing, TimeSpan Elapsed);
