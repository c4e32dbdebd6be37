namespace FuncExec.Scheduler.Queueing;

/// <summary>Queued tasks in the order a <see cref="TaskOrder"/> gives. Not thread-safe.</summary>
internal sealed class TaskQueue
{
    private readonly PriorityQueue<QueuedTask, QueuedTask> _queue;

    public TaskQueue(TaskOrder order)
    {
        _queue = new PriorityQueue<QueuedTask, QueuedTask>(Comparer(order));
    }

    public int Count => _queue.Count;

    /// <summary>The cores the queued tasks ask for, summed: the work waiting, as adaptive scaling weighs it.</summary>
    public long Cores { get; private set; }

    public void Enqueue(QueuedTask task)
    {
        _queue.Enqueue(task, task);
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
            _queue.Enqueue(task, task);
        }

        return removed;
    }

    /// <summary>The queued tasks, in no particular order.</summary>
    public IEnumerable<QueuedTask> Unordered => _queue.UnorderedItems.Select(static item => item.Element);

    internal static IComparer<QueuedTask> Comparer(TaskOrder order) => order switch
    {
        TaskOrder.Priority => Comparer<QueuedTask>.Create(static (a, b) =>
            a.Priority != b.Priority ? b.Priority.CompareTo(a.Priority) : a.Sequence.CompareTo(b.Sequence)),
        TaskOrder.Fifo => Comparer<QueuedTask>.Create(static (a, b) => a.Sequence.CompareTo(b.Sequence)),
        TaskOrder.FewestCoresFirst => Comparer<QueuedTask>.Create(static (a, b) =>
            a.Cores != b.Cores ? a.Cores.CompareTo(b.Cores) : a.Sequence.CompareTo(b.Sequence)),
        _ => throw new ArgumentOutOfRangeException(nameof(order), order, "unknown task order"),
    };
}
