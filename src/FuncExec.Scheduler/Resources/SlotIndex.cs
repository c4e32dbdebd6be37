namespace FuncExec.Scheduler.Resources;

/// <summary>
/// The ready worker slots of every node, kept in the order placement prefers them, so that placing a one-core task
/// costs a logarithm of the cluster's size rather than a look at every slot: 32,000 workers would otherwise be read
/// for each of a million tasks.
/// </summary>
/// <remarks>
/// <para>It picks what a scan of every slot in node order with <see cref="PrefetchPolicy.Room"/> would pick: an idle
/// slot first (the first in node order); for a short task, the slot with the least estimated work queued (then the
/// fewest tasks, then the first), if it has room; for a long or unknown one, the first slot with exactly one task.
/// Slots are kept in three heaps for these (with each slot's place in them, so filing costs no allocation), by what
/// they were when last filed; a slot whose state changes is
/// marked (its setters call <see cref="Touch"/>) and filed again before the next question, once however many times it
/// changed, so no change escapes it.</para>
/// <para>Not thread-safe: the scheduler calls it under its lock.</para>
/// </remarks>
internal sealed class SlotIndex
{
    /// <summary>Orders slots as placement looks at them: node by node in the order they joined, a node's in its order.</summary>
    public static readonly IComparer<WorkerSlot> NodeOrder = BySequence.Instance;

    private readonly SlotHeap _idle = new(BySequence.Instance, 0);
    private readonly SlotHeap _short = new(ByShortWork.Instance, 1);
    private readonly SlotHeap _oneDeep = new(BySequence.Instance, 2);
    private readonly List<WorkerSlot> _touched = [];
    private long _nextSequence;

    /// <summary>Takes in the slots of a node that joined, after those of every node that joined before it.</summary>
    public void Add(NodeResources node)
    {
        foreach (var slot in node.Slots)
        {
            slot.Sequence = _nextSequence++;
            slot.Index = this;
            Touch(slot);
        }
    }

    /// <summary>Forgets the slots of a node that left: whatever happens to them later, they are never picked.</summary>
    public void Remove(NodeResources node)
    {
        foreach (var slot in node.Slots)
        {
            Unfile(slot);
            slot.Index = null;
        }
    }

    /// <summary>Notes that <paramref name="slot"/> changed: it is filed again before the next question.</summary>
    public void Touch(WorkerSlot slot)
    {
        if (!slot.Touched)
        {
            slot.Touched = true;
            _touched.Add(slot);
        }
    }

    /// <summary>The slot a one-core task estimated at <paramref name="estimateUs"/> (NaN when unknown) goes to; null
    /// when none has room for it.</summary>
    public WorkerSlot? Best(double estimateUs)
    {
        Refile();
        if (_idle.Count > 0)
        {
            return _idle.Min;
        }

        if (PrefetchPolicy.IsShort(estimateUs))
        {
            return _short.Min is { } least && PrefetchPolicy.Room(least, estimateUs) > 0 ? least : null;
        }

        return _oneDeep.Min;
    }

    /// <summary>How many ready slots have nothing to do.</summary>
    public int IdleCount
    {
        get
        {
            Refile();
            return _idle.Count;
        }
    }

    private void Refile()
    {
        foreach (var slot in _touched)
        {
            slot.Touched = false;
            if (slot.Index == this)
            {
                Unfile(slot);
                File(slot);
            }
        }

        _touched.Clear();
    }

    private void File(WorkerSlot slot)
    {
        if (!slot.Ready || slot.HeldBy != 0)
        {
            return;
        }

        if (slot.InFlight == 0)
        {
            _idle.Add(slot);
            slot.Filed = Filing.Idle;
            return;
        }

        slot.FiledWorkUs = slot.ShortWorkUs;
        slot.FiledInFlight = slot.InFlight;
        if (slot.LongInFlight == 0 && slot.InFlight < PrefetchPolicy.MaxDepth)
        {
            _short.Add(slot);
            slot.Filed |= Filing.Short;
        }

        if (slot.InFlight == 1)
        {
            _oneDeep.Add(slot);
            slot.Filed |= Filing.OneDeep;
        }
    }

    private void Unfile(WorkerSlot slot)
    {
        if ((slot.Filed & Filing.Idle) != 0)
        {
            _idle.Remove(slot);
        }

        if ((slot.Filed & Filing.Short) != 0)
        {
            _short.Remove(slot);
        }

        if ((slot.Filed & Filing.OneDeep) != 0)
        {
            _oneDeep.Remove(slot);
        }

        slot.Filed = Filing.None;
    }

    /// <summary>A binary min-heap of slots that keeps each slot's place in it (in <see cref="WorkerSlot.HeapAt"/>), so a
    /// slot is taken out from anywhere in a logarithm of the heap's size.</summary>
    private sealed class SlotHeap(IComparer<WorkerSlot> order, int which)
    {
        private WorkerSlot[] _items = new WorkerSlot[16];

        public int Count { get; private set; }

        public WorkerSlot? Min => Count > 0 ? _items[0] : null;

        public void Add(WorkerSlot slot)
        {
            if (Count == _items.Length)
            {
                Array.Resize(ref _items, 2 * Count);
            }

            Put(slot, Count++);
            Up(Count - 1);
        }

        public void Remove(WorkerSlot slot)
        {
            var at = slot.HeapAt[which];
            slot.HeapAt[which] = -1;
            var last = _items[--Count];
            _items[Count] = null!;
            if (at < Count)
            {
                Put(last, at);
                Up(at);
                Down(last.HeapAt[which]);
            }
        }

        private void Up(int at)
        {
            while (at > 0)
            {
                var parent = (at - 1) / 2;
                if (order.Compare(_items[at], _items[parent]) >= 0)
                {
                    return;
                }

                Swap(at, parent);
                at = parent;
            }
        }

        private void Down(int at)
        {
            while (true)
            {
                var least = at;
                var left = (2 * at) + 1;
                if (left < Count && order.Compare(_items[left], _items[least]) < 0)
                {
                    least = left;
                }

                if (left + 1 < Count && order.Compare(_items[left + 1], _items[least]) < 0)
                {
                    least = left + 1;
                }

                if (least == at)
                {
                    return;
                }

                Swap(at, least);
                at = least;
            }
        }

        private void Swap(int a, int b)
        {
            var first = _items[a];
            Put(_items[b], a);
            Put(first, b);
        }

        private void Put(WorkerSlot slot, int at)
        {
            _items[at] = slot;
            slot.HeapAt[which] = at;
        }
    }

    /// <summary>Node order: the order slots joined in.</summary>
    private sealed class BySequence : IComparer<WorkerSlot>
    {
        public static readonly BySequence Instance = new();

        public int Compare(WorkerSlot? x, WorkerSlot? y) => x!.Sequence.CompareTo(y!.Sequence);
    }

    /// <summary>The most room first (the least work queued), then the fewest tasks, then node order; by the values
    /// the slot was filed with, which stay put while it is in the set.</summary>
    private sealed class ByShortWork : IComparer<WorkerSlot>
    {
        public static readonly ByShortWork Instance = new();

        public int Compare(WorkerSlot? x, WorkerSlot? y)
        {
            var byWork = x!.FiledWorkUs.CompareTo(y!.FiledWorkUs);
            if (byWork != 0)
            {
                return byWork;
            }

            var byCount = x.FiledInFlight.CompareTo(y.FiledInFlight);
            return byCount != 0 ? byCount : x.Sequence.CompareTo(y.Sequence);
        }
    }
}

/// <summary>Which of <see cref="SlotIndex"/>'s sets a slot is in.</summary>
[Flags]
internal enum Filing
{
    None = 0,
    Idle = 1,
    Short = 2,
    OneDeep = 4,
}
