using FuncExec.Protocol.V1;
using FuncExec.Scheduler.Queueing;

namespace FuncExec.Scheduler.Computations;

/// <summary>A computation as the scheduler holds it: its queue, its pinned tasks, and its share of the workers.</summary>
internal sealed class ComputationState
{
    /// <param name="key">Its key among the scheduler's computations.</param>
    /// <param name="id">The id its tasks carry.</param>
    /// <param name="request">What its submitter asked for.</param>
    /// <param name="owner">The submitter that opened it.</param>
    /// <param name="order">The order of its queue.</param>
    /// <param name="queueStorageOf">An ended computation's empty queue, whose storage its queue takes.</param>
    public ComputationState(long key, long id, ComputationRequest request, ITaskObserver? owner, TaskOrder order, TaskQueue? queueStorageOf = null)
    {
        Key = key;
        Id = id;
        Name = request.Name;
        Exclusive = request.Exclusive;
        Components = request.Components;
        Owner = owner;
        Queue = new TaskQueue(order, queueStorageOf);
    }

    /// <summary>Its key among the scheduler's computations: its id, or a negative number for an implicit one.</summary>
    public long Key { get; }

    /// <summary>The id tasks carry; 0 for the implicit computation of a submitter that opened none (the CLI).</summary>
    public long Id { get; }

    public string Name { get; }

    public bool Exclusive { get; }

    public IReadOnlyList<ComponentRef> Components { get; }

    /// <summary>The submitter that opened it: when it leaves, the computation closes.</summary>
    public ITaskObserver? Owner { get; }

    /// <summary>Tasks any worker may run, in the scheduler's order.</summary>
    public TaskQueue Queue { get; }

    /// <summary>Tasks that must run on one node or worker (RunAt), in submission order.</summary>
    public List<QueuedTask> Pinned { get; } = [];

    /// <summary>Tasks of it on workers (running or prefetched): the measure of its share.</summary>
    public int InFlight { get; set; }

    /// <summary>Tasks submitted and not yet reported.</summary>
    public int Live { get; set; }

    /// <summary>May place tasks: shared ones at once, exclusive ones when their turn comes.</summary>
    public bool Active { get; set; }

    /// <summary>Closing: takes no tasks; ends when its last live task is reported.</summary>
    public bool Closing { get; set; }

    /// <summary>Called once it is active (outside the scheduler's lock).</summary>
    public Action<long>? OnScheduled { get; set; }

    /// <summary>Called once it has closed (outside the scheduler's lock).</summary>
    public Action? OnClosed { get; set; }

    public bool HasQueued => Queue.Count > 0 || Pinned.Count > 0;
}
