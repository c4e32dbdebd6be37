namespace FuncExec.Scheduler;

/// <summary>What <see cref="ClusterScheduler.CloseComputation(long, ITaskObserver, Action?)"/> did.</summary>
internal enum CloseRequest
{
    /// <summary>No such computation is open: it closed already, or never existed.</summary>
    NotOpen,

    /// <summary>It is closing: its tasks are killed, and the callback runs once the last is reported.</summary>
    Closing,

    /// <summary>Another client opened it; nothing was done.</summary>
    Refused,
}
