namespace FuncExec;

/// <summary>A node of the cluster.</summary>
/// <param name="Index">The scheduler's number for it.</param>
/// <param name="Name">Its name (<c>--name</c>, or the host name).</param>
/// <param name="Address">Where it is, as the scheduler knows it; empty for the embedded node.</param>
/// <param name="Workers">Its workers.</param>
public sealed record NodeInfo(int Index, string Name, string Address, IReadOnlyList<WorkerInfo> Workers);

/// <summary>A worker process of a node, pinned to one core.</summary>
/// <param name="Node">The index of its node.</param>
/// <param name="NodeName">Its node's name.</param>
/// <param name="WorkerId">Its number within its node.</param>
/// <param name="Core">The core it is pinned to.</param>
/// <param name="State"><c>idle</c>, <c>busy</c>, <c>held</c> (by a multi-core task), <c>starting</c>, or <c>draining</c> (its node is stopping: it finishes its task and takes no more).</param>
public sealed record WorkerInfo(int Node, string NodeName, int WorkerId, int Core, string State)
{
    /// <summary><c>node/worker-N</c>, as reports name it.</summary>
    public string Name => $"{NodeName}/worker-{WorkerId}";
}

/// <summary>A progress report from a running task.</summary>
/// <param name="Fraction">0 to 1, or null when the task gave none.</param>
/// <param name="Message">What it said, if anything.</param>
public sealed record TaskProgressInfo(double? Fraction, string? Message);
