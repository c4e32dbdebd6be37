using FuncExec.Scheduler.Journal;

namespace FuncExec.Scheduler;

internal sealed partial class ClusterScheduler
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

    private Dispatch NewDispatch() => new(Volatile.Read(ref _subscribers).Length > 0 ? _eventLog : null, _journal is not null);

    /// <summary>Ends a lock section: with a journal, its records are appended (under the lock, so the journal
    /// holds them in the order they happened) and what goes to submitters waits for their commit.</summary>
    private void SealLocked(Dispatch dispatch)
    {
        if (_journal is null)
        {
            return;
        }

        var batch = dispatch.GatheredBatch;
        var hasRecords = batch is { IsEmpty: false };
        // Completions without records still go through the journal, so nothing a submitter is told overtakes
        // what it was told before (a report waiting for its commit, then a message sent at once).
        if (hasRecords || dispatch.HasCompletions)
        {
            dispatch.Deferred = true;
            // Led: Done commits it on this thread, once the lock is released, unless a commit is under way.
            _journal.Append(hasRecords ? batch! : new JournalBatch(), dispatch.HasCompletions ? dispatch.Complete : null, lead: true);
        }
    }

    private void Done(Dispatch dispatch)
    {
        if (!dispatch.Deferred)
        {
            // Without a journal submitters hear at once, on this thread, as before.
            dispatch.Complete();
        }
        else
        {
            // Delivery guarantee: the submitters hear from the commit's callback, so what they are told is durable. A
            // lone batch is committed here rather than by waking the journal's writer: one thread hand-over fewer.
            _journal!.LeadCommit();
        }

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
