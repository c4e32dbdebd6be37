using System.Collections.Concurrent;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler;

namespace FuncExec.Client.Internal;

/// <summary>
/// The handles of submitted tasks by id. A task may message its client before the submission that
/// made it has returned its id: such news waits here until the handle is registered, then follows in order.
/// Also the observer of the embedded scheduler, where each task's tag names its handle.
/// </summary>
internal sealed class TaskHandles : ITaskObserver
{
    private readonly ConcurrentDictionary<long, RemoteTask> _byId = new();
    private readonly ConcurrentDictionary<long, RemoteTask> _byTag = new();
    private long _nextTag;
    private readonly Dictionary<long, List<Action<RemoteTask>>> _early = [];
    private readonly Lock _lock = new();
    private Exception? _failedWith;

    public void Register(long id, RemoteTask handle)
    {
        lock (_lock)
        {
            handle.Id = id;
            if (_failedWith is not null)
            {
                // Submitted as the cluster went: nothing will ever report it.
                handle.Fail(_failedWith);
                return;
            }

            if (handle.IsCompleted)
            {
                _early.Remove(id);
                return;
            }

            // Drain first, then publish: news arriving meanwhile takes the lock and waits its turn.
            if (_early.Remove(id, out var waiting))
            {
                foreach (var action in waiting)
                {
                    action(handle);
                }
            }

            _byId[id] = handle;
        }
    }

    public void Forget(long id) => _byId.TryRemove(id, out _);

    /// <summary>A new tag for a task of the embedded scheduler: its report comes back to <paramref name="handle"/>.</summary>
    public long Tag(RemoteTask handle)
    {
        var tag = Interlocked.Increment(ref _nextTag);
        _byTag[tag] = handle;
        return tag;
    }

    /// <summary>Forgets the tags of tasks the embedded scheduler refused.</summary>
    public void Untag(IReadOnlyList<SubmittedTaskSpec> tasks)
    {
        foreach (var task in tasks)
        {
            _byTag.TryRemove(task.Tag, out _);
        }
    }

    public void OnFinished(IReadOnlyList<FinishedTask> finished)
    {
        foreach (var (tag, report) in finished)
        {
            if (_byTag.TryRemove(tag, out var handle))
            {
                Complete(handle, report);
            }
        }
    }

    /// <summary>Ends a handle: messages that waited for its id are delivered first, then the report.</summary>
    public void Complete(RemoteTask handle, FuncExec.TaskReport report)
    {
        lock (_lock)
        {
            _byId.TryRemove(report.Id, out _);
            if (_early.Remove(report.Id, out var waiting))
            {
                foreach (var action in waiting)
                {
                    action(handle);
                }
            }

            handle.Complete(report);
        }
    }

    public void OnMessage(TaskMessage message) => With(message.FromTask, handle => handle.OnMessage(message.PayloadJson.Span));

    public void OnProgress(TaskProgress progress) =>
        With(progress.TaskId, handle => handle.OnProgress(new TaskProgressInfo(
            progress.Fraction >= 0 && !double.IsNaN(progress.Fraction) ? progress.Fraction : null,
            progress.Message.Length == 0 ? null : progress.Message)));

    /// <summary>Fails every handle still waiting (the scheduler is gone), and any registered after.</summary>
    public void FailAll(Exception error)
    {
        lock (_lock)
        {
            _failedWith ??= error;
            foreach (var (_, handle) in _byId)
            {
                handle.Fail(error);
            }

            _byId.Clear();
        }
    }

    private void With(long id, Action<RemoteTask> action)
    {
        if (_byId.TryGetValue(id, out var handle))
        {
            action(handle);
            return;
        }

        lock (_lock)
        {
            if (_byId.TryGetValue(id, out handle))
            {
                action(handle);
            }
            else
            {
                if (!_early.TryGetValue(id, out var waiting))
                {
                    waiting = [];
                    _early[id] = waiting;
                }

                waiting.Add(action);
            }
        }
    }
}
