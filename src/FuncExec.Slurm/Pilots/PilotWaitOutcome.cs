namespace FuncExec.Slurm.Pilots;

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
