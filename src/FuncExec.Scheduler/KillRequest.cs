namespace FuncExec.Scheduler;

/// <summary>What <see cref="ClusterScheduler.Kill"/> did.</summary>
internal enum KillRequest
{
    /// <summary>No such task is queued or running: it finished already, or never existed.</summary>
    NotFound,

    /// <summary>It was still queued: removed and reported killed, without running.</summary>
    KilledQueued,

    /// <summary>It is on a worker: the node kills it and reports its final state, which may be
    /// a success if it finished before the kill arrived.</summary>
    Sent,

    /// <summary>It is another client's task and the request was not administrative; nothing was done.</summary>
    Refused,
}
