namespace FuncExec.Slurm.Pilots;

/// <summary>A pilot job as the resource manager sees it.</summary>
/// <param name="Id">The job id (digits only).</param>
/// <param name="State">The manager's state word, e.g. <c>PENDING</c>, <c>RUNNING</c>, <c>COMPLETED</c>, <c>FAILED</c>.</param>
/// <param name="Reason">Why it waits or ended, as the manager says (<c>Resources</c>, <c>PartitionNodeLimit</c>); empty when it gives none.</param>
/// <param name="NodeCount">Hosts asked for or held.</param>
/// <param name="Hosts">The hosts it runs on, one node each; empty while it waits.</param>
/// <param name="Partition">The partition it is in.</param>
/// <param name="TimeLeft">Time left before its limit, as the manager writes it.</param>
/// <param name="Scheduler">The scheduler its nodes dial, from its tag.</param>
/// <param name="LogDirectory">Where its logs are, from its tag.</param>
internal sealed record PilotJob(
    string Id,
    string State,
    string Reason,
    int NodeCount,
    IReadOnlyList<string> Hosts,
    string Partition,
    string TimeLeft,
    string Scheduler,
    string LogDirectory)
{
    /// <summary>Waiting for resources or its turn.</summary>
    public bool IsPending => State is "PENDING" or "CONFIGURING" or "REQUEUED" or "REQUEUE_HOLD" or "RESV_DEL_HOLD" or "SUSPENDED";

    /// <summary>Its nodes run (or are about to).</summary>
    public bool IsRunning => State is "RUNNING";

    /// <summary>Over, or ending: its nodes are gone or going.</summary>
    public bool HasEnded => !IsPending && !IsRunning;

    /// <summary>The name the node on <paramref name="host"/> joins the scheduler under.</summary>
    public string NodeName(string host) => PilotNaming.NodeName(host, Id);

    /// <summary>The job's own log (its batch script's output).</summary>
    public string JobLog => PilotNaming.JobLog(LogDirectory, Id);

    /// <summary>The log of the node on <paramref name="host"/>.</summary>
    public string NodeLog(string host) => PilotNaming.NodeLog(LogDirectory, Id, host);
}
