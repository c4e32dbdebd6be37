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

    public void Enqueue(QueuedTask task) => _queue.Enqueue(task, task);

    public bool TryPeek(out QueuedTask task) => _queue.TryPeek(out task!, out _);

    public QueuedTask Dequeue() => _queue.Dequeue();

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
