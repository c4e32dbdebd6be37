using FuncExec.Core.Events;

namespace FuncExec.Scheduler;

public sealed partial class ClusterScheduler
{
    private Action<IReadOnlyList<ClusterEvent>>[] _subscribers = [];

    /// <summary>
    /// Calls <paramref name="onEvents"/> with every cluster event from now on (nodes, workers,
    /// tasks, computations), in batches, outside the scheduler's lock, on whatever thread caused
    /// them. Events are built only while someone listens.
    /// </summary>
    /// <returns>Dispose it to stop listening.</returns>
    public IDisposable Subscribe(Action<IReadOnlyList<ClusterEvent>> onEvents)
    {
        ArgumentNullException.ThrowIfNull(onEvents);
        lock (_lock)
        {
            _subscribers = [.. _subscribers, onEvents];
        }

        return new Subscription(this, onEvents);
    }

    // Events are logged under the scheduler's lock, in the order they happen, and published in
    // that order by whichever thread comes first: batches from two threads never overtake each other.
    private readonly Lock _publishLock = new();
    private readonly EventLog _eventLog = new();

    private Dispatch NewDispatch() => new(Volatile.Read(ref _subscribers).Length > 0 ? _eventLog : null);

    private void Done(Dispatch dispatch)
    {
        dispatch.Complete();
        if (Volatile.Read(ref _subscribers).Length > 0)
        {
            Publish();
        }
    }

    private void Publish()
    {
        lock (_publishLock)
        {
            List<ClusterEvent> events;
            lock (_lock)
            {
                if (_eventLog.Pending.Count == 0)
                {
                    return;
                }

                events = _eventLog.Pending;
                _eventLog.Pending = [];
            }

            foreach (var subscriber in Volatile.Read(ref _subscribers))
            {
                subscriber(events);
            }
        }
    }

    private static DateTimeOffset Now() => DateTimeOffset.UtcNow;

    private sealed class Subscription(ClusterScheduler scheduler, Action<IReadOnlyList<ClusterEvent>> onEvents) : IDisposable
    {
        public void Dispose()
        {
            lock (scheduler._lock)
            {
                scheduler._subscribers = [.. scheduler._subscribers.Where(s => s != onEvents)];
            }
        }
    }
}
