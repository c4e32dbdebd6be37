namespace FuncExec.Scheduler;

/// <summary>What <see cref="ClusterScheduler.Cancel"/> did.</summary>
internal enum CancelRequest
{
    /// <summary>No such task is queued or running: it finished already, or never existed.</summary>
    NotFound,

    /// <summary>It was still queued: removed and reported cancelled, without running.</summary>
    CancelledQueued,

    /// <summary>It is on a worker: its token is signalled, and it is killed if it outlives the grace
    /// period. Its final report says which happened, or that it finished first.</summary>
    Sent,

    /// <summary>It is another client's task; nothing was done.</summary>
    Refused,
}
