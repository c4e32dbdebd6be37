using FuncExec.Protocol.V1;

namespace FuncExec.Scheduler;

/// <summary>A task as handed to the scheduler: its policies and the assignment a worker will run.</summary>
/// <remarks>The scheduler fills in the assignment's task id, attempt and cores.</remarks>
internal sealed class SubmittedTask
{
    /// <summary>Creates a submitted task.</summary>
    public SubmittedTask(string name, TaskAssignment assignment)
    {
        Name = name;
        Assignment = assignment;
    }

    /// <summary>The task's name.</summary>
    public string Name { get; }

    /// <summary>What the worker runs.</summary>
    public TaskAssignment Assignment { get; }

    /// <summary>Cores held while it runs.</summary>
    public int Cores { get; init; } = 1;

    /// <summary>Higher first under <see cref="Queueing.TaskOrder.Priority"/>.</summary>
    public int Priority { get; init; }

    /// <summary>Whatever the submitter wants back with the report (e.g. the task's position).</summary>
    public object? Tag { get; init; }

    /// <summary>Further attempts after a retryable failure.</summary>
    public int Retries { get; init; }

    /// <summary>Run only on the node with this index (see <see cref="ClusterScheduler.AddNode"/>), or anywhere when null.</summary>
    public int? TargetNode { get; init; }

    /// <summary>With <see cref="TargetNode"/>: run only on this worker of it.</summary>
    public int? TargetWorker { get; init; }

    /// <summary>The protobuf encoding of the client's <c>SubmittedTaskSpec</c>, journaled so the task can be queued
    /// again after a restart; null when it is not journaled.</summary>
    public byte[]? JournalSpec { get; init; }
}
