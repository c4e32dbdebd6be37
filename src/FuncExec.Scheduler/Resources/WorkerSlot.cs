namespace FuncExec.Scheduler.Resources;

/// <summary>One worker process of a node, pinned to one core, as the scheduler sees it.</summary>
internal sealed class WorkerSlot
{
    private bool _ready;
    private int _inFlight;
    private int _longInFlight;
    private double _shortWorkUs;
    private long _heldBy;

    public WorkerSlot(NodeResources node, int workerId, int core)
    {
        Node = node;
        WorkerId = workerId;
        Core = core;
        Name = $"{node.Channel.NodeName}/worker-{workerId}";
        Cores = Array.AsReadOnly([core]);
    }

    public NodeResources Node { get; }

    public int WorkerId { get; }

    public int Core { get; }

    /// <summary>Its one core as a list, put in the report of every task that held only this slot: built once, not per task.</summary>
    public IReadOnlyList<int> Cores { get; }

    /// <summary><c>node/worker-N</c>, put in every report: built once, not per task.</summary>
    public string Name { get; }

    /// <summary>The worker process is up and said hello.</summary>
    public bool Ready
    {
        get => _ready;
        set
        {
            _ready = value;
            Index?.Touch(this);
        }
    }

    /// <summary>Tasks handed to the worker and not yet reported back (running or prefetched).</summary>
    public int InFlight
    {
        get => _inFlight;
        set
        {
            _inFlight = value;
            Index?.Touch(this);
        }
    }

    /// <summary>In-flight tasks whose duration is unknown or long: while any is there, nothing is prefetched behind it.</summary>
    public int LongInFlight
    {
        get => _longInFlight;
        set
        {
            _longInFlight = value;
            Index?.Touch(this);
        }
    }

    /// <summary>Estimated work of the short in-flight tasks, in microseconds.</summary>
    public double ShortWorkUs
    {
        get => _shortWorkUs;
        set
        {
            _shortWorkUs = value;
            Index?.Touch(this);
        }
    }

    /// <summary>Long tasks queued on the worker behind another: taken back when a worker elsewhere goes idle.</summary>
    public List<Placement> Stealable { get; } = [];

    /// <summary>In-flight tasks in the order the worker runs them: the first is running.</summary>
    public LinkedList<Placement> Line { get; } = new();

    /// <summary>The id of the multi-core task that holds this slot's core, or 0.</summary>
    public long HeldBy
    {
        get => _heldBy;
        set
        {
            _heldBy = value;
            Index?.Touch(this);
        }
    }

    /// <summary>The order number the next task placed here gets.</summary>
    public long NextOrder { get; set; }

    public bool CanTakeWide => Ready && InFlight == 0 && HeldBy == 0;

    /// <summary>When it last had nothing to do (it became ready, or its last task ended), a
    /// <see cref="System.Diagnostics.Stopwatch"/> timestamp: how long a node has been idle, for adaptive scaling.</summary>
    public long IdleSince { get; set; }

    // What SlotIndex keeps of the slot: its setters above tell it of every change that bears on placement.

    /// <summary>The index the slot is filed in while its node is in the cluster; null before it joined and after it left.</summary>
    public SlotIndex? Index { get; set; }

    /// <summary>The slot's place in node order, given when its node joined.</summary>
    public long Sequence { get; set; }

    /// <summary>Changed since it was last filed.</summary>
    public bool Touched { get; set; }

    /// <summary>The heaps it is filed in.</summary>
    public Filing Filed { get; set; }

    /// <summary>Its place in each of the index's three heaps.</summary>
    public int[] HeapAt { get; } = [-1, -1, -1];

    /// <summary><see cref="ShortWorkUs"/> when it was filed.</summary>
    public double FiledWorkUs { get; set; }

    /// <summary><see cref="InFlight"/> when it was filed.</summary>
    public int FiledInFlight { get; set; }
}
