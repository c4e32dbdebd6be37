namespace FuncExec.Scheduler.Queueing;

/// <summary>Queued tasks in the order a <see cref="TaskOrder"/> gives. Not thread-safe.</summary>
internal sealed class TaskQueue
{
    // Ordered by a key copied out of each task, so a million queued tasks sift by comparing the heap's own entries,
    // not by reading each task they pass (two objects apart in memory) on every comparison.
    private readonly TaskOrder _order;
    private PriorityQueue<QueuedTask, Key> _queue;

    /// <param name="order">The order it gives.</param>
    /// <param name="storageOf">An ended queue whose storage this one takes, if it is empty (it keeps an empty one of its
    /// own): a queue of thousands of tasks is an array on the large object heap, and a computation per run of a client's
    /// tasks would otherwise allocate one each run, bringing full collections of the scheduler.</param>
    public TaskQueue(TaskOrder order, TaskQueue? storageOf = null)
    {
        _order = Checked(order);
        _queue = storageOf?.TakeStorage() ?? new();
    }

    public int Count => _queue.Count;

    /// <summary>How many tasks it holds without growing.</summary>
    public int Capacity => _queue.EnsureCapacity(0);

    /// <summary>The cores the queued tasks ask for, summed: the work waiting, as adaptive scaling weighs it.</summary>
    public long Cores { get; private set; }

    public void Enqueue(QueuedTask task)
    {
        _queue.Enqueue(task, KeyOf(_order, task));
        Cores += task.Cores;
    }

    /// <summary>Makes room for <paramref name="more"/> tasks beyond those queued, so a large submission grows the queue once.</summary>
    public void Reserve(int more) => _queue.EnsureCapacity(_queue.Count + more);

    public bool TryPeek(out QueuedTask task) => _queue.TryPeek(out task!, out _);

    public QueuedTask Peek() => _queue.Peek();

    public QueuedTask Dequeue()
    {
        var task = _queue.Dequeue();
        Cores -= task.Cores;
        return task;
    }

    /// <summary>Removes every queued task that matches; O(n), for rare events such as a client leaving.</summary>
    public int RemoveWhere(Func<QueuedTask, bool> predicate)
    {
        var kept = new List<QueuedTask>(_queue.Count);
        var removed = 0;
        while (_queue.TryDequeue(out var task, out _))
        {
            if (predicate(task))
            {
                removed++;
                Cores -= task.Cores;
            }
            else
            {
                kept.Add(task);
            }
        }

        foreach (var task in kept)
        {
            _queue.Enqueue(task, KeyOf(_order, task));
        }

        return removed;
    }

    /// <summary>This queue's storage, if it is empty; null when it holds tasks, which stay.</summary>
    private PriorityQueue<QueuedTask, Key>? TakeStorage()
    {
        if (_queue.Count != 0)
        {
            return null;
        }

        var storage = _queue;
        _queue = new();
        return storage;
    }

    /// <summary>The queued tasks, in no particular order.</summary>
    public IEnumerable<QueuedTask> Unordered => _queue.UnorderedItems.Select(static item => item.Element);

    /// <summary>Compares two tasks as a queue in <paramref name="order"/> does.</summary>
    internal static IComparer<QueuedTask> Comparer(TaskOrder order)
    {
        Checked(order);
        return Comparer<QueuedTask>.Create((a, b) => KeyOf(order, a).CompareTo(KeyOf(order, b)));
    }

    private static TaskOrder Checked(TaskOrder order) => order is TaskOrder.Priority or TaskOrder.Fifo or TaskOrder.FewestCoresFirst
        ? order
        : throw new ArgumentOutOfRangeException(nameof(order), order, "unknown task order");

    /// <summary>Where <paramref name="task"/> goes in <paramref name="order"/>: the lower key first; ties in submission order.</summary>
    private static Key KeyOf(TaskOrder order, QueuedTask task) => order switch
    {
        // The higher priority first.
        TaskOrder.Priority => new Key(-(long)task.Priority, task.Sequence),
        TaskOrder.FewestCoresFirst => new Key(task.Cores, task.Sequence),
        _ => new Key(0, task.Sequence),
    };

    private readonly record struct Key(long First, long Sequence) : IComparable<Key>
    {
        public int CompareTo(Key other) => First != other.First ? First.CompareTo(other.First) : Sequence.CompareTo(other.Sequence);
    }
}
