namespace FuncExec.Scheduler.Resources;

/// <summary>One worker process of a node, pinned to one core, as the scheduler sees it.</summary>
internal sealed class WorkerSlot
{
    public WorkerSlot(NodeResources node, int workerId, int core)
    {
        Node = node;
        WorkerId = workerId;
        Core = core;
        Name = $"{node.Channel.NodeName}/worker-{workerId}";
    }

    public NodeResources Node { get; }

    public int WorkerId { get; }

    public int Core { get; }

    /// <summary><c>node/worker-N</c>, put in every report: built once, not per task.</summary>
    public string Name { get; }

    /// <summary>The worker process is up and said hello.</summary>
    public bool Ready { get; set; }

    /// <summary>Tasks handed to the worker and not yet reported back (running or prefetched).</summary>
    public int InFlight { get; set; }

    /// <summary>In-flight tasks whose duration is unknown or long: while any is there, nothing is prefetched behind it.</summary>
    public int LongInFlight { get; set; }

    /// <summary>Estimated work of the short in-flight tasks, in microseconds.</summary>
    public double ShortWorkUs { get; set; }

    /// <summary>Long tasks queued on the worker behind another: taken back when a worker elsewhere goes idle.</summary>
    public List<Placement> Stealable { get; } = [];

    /// <summary>In-flight tasks in the order the worker runs them: the first is running.</summary>
    public LinkedList<Placement> Line { get; } = new();

    /// <summary>The id of the multi-core task that holds this slot's core, or 0.</summary>
    public long HeldBy { get; set; }

    /// <summary>The order number the next task placed here gets.</summary>
    public long NextOrder { get; set; }

    public bool CanTakeWide => Ready && InFlight == 0 && HeldBy == 0;

    /// <summary>When it last had nothing to do (it became ready, or its last task ended), a
    /// <see cref="System.Diagnostics.Stopwatch"/> timestamp: how long a node has been idle, for adaptive scaling.</summary>
    public long IdleSince { get; set; }
}
