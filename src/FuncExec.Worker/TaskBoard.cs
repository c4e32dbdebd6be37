using FuncExec.Core.Collections;
using FuncExec.Protocol;
using FuncExec.Protocol.V1;
using Google.Protobuf.Collections;

namespace FuncExec.Worker;

/// <summary>
/// The tasks this worker holds: the queue of those assigned and not started, the one running, and the
/// state (<see cref="HeldTask"/>) of those that received a message or a cancel. One lock guards it all,
/// between the reader thread (assign, revoke, cancel, messages) and the executing thread.
/// </summary>
internal sealed class TaskBoard
{
    private readonly Lock _lock = new();
    private readonly Queue<TaskAssignment> _queue = new();
    // Wakes the executing thread: set by every change it must look at, cleared when it looks. Not a SemaphoreSlim,
    // which spins before it blocks: the worker is pinned to one core, so a spinning executor only keeps the reader
    // thread, the one that would bring it work, off that core.
    private readonly object _wake = new();
    private bool _woken;
    private bool _sleeping;
    private readonly Func<TaskAssignment, CancellationToken, TaskContext> _createContext;

    // The state of queued tasks that were sent a message before they started; usually null.
    private Dictionary<long, HeldTask>? _waiting;
    private TaskAssignment? _running;
    private HeldTask? _runningState;
    private List<long>? _closing;
    private volatile bool _closingPending;
    private Dictionary<long, PrepareComputation>? _preparing;
    private volatile bool _preparingPending;
    private bool _closed;

    public TaskBoard(Func<TaskAssignment, CancellationToken, TaskContext> createContext)
    {
        _createContext = createContext;
    }

    public void Add(RepeatedField<TaskAssignment> tasks)
    {
        lock (_lock)
        {
            foreach (var task in tasks)
            {
                _queue.Enqueue(task);
            }
        }

        Signal();
    }

    /// <summary>
    /// Starts the next task: true with it; true with null once closed and drained; false when there is
    /// none now (<see cref="Wait"/>, then try again).
    /// </summary>
    public bool TryStart(out TaskAssignment? task)
    {
        lock (_lock)
        {
            if (_queue.TryDequeue(out task))
            {
                _running = task;
                _runningState = null;
                if (_waiting is { Count: > 0 } && _waiting.Remove(task.TaskId, out var state))
                {
                    _runningState = state;
                }

                return true;
            }

            task = null;
            return _closed;
        }
    }

    /// <summary>The running task ended: its inbox and context go with it.</summary>
    public void Finish()
    {
        lock (_lock)
        {
            _running = null;
            _runningState = null;
        }
    }

    /// <summary>Blocks until something changed since the last wait (a task added, a close, a preparation), without spinning.</summary>
    public void Wait()
    {
        lock (_wake)
        {
            while (!_woken)
            {
                _sleeping = true;
                Monitor.Wait(_wake);
                _sleeping = false;
            }

            _woken = false;
        }
    }

    public bool IsQueueEmpty()
    {
        lock (_lock)
        {
            return _queue.Count == 0;
        }
    }

    public bool IsRunning(long taskId, int attempt)
    {
        lock (_lock)
        {
            return _running is { } running && running.TaskId == taskId && running.Attempt == attempt;
        }
    }

    /// <summary>True when the node asked to cancel the running task.</summary>
    public bool IsCancelRequested()
    {
        lock (_lock)
        {
            return _runningState is { CancelRequested: true };
        }
    }

    /// <summary>The running task's context, created on first use; null between tasks.</summary>
    public TaskContext? RunningContext()
    {
        lock (_lock)
        {
            if (_running is not { } running)
            {
                return null;
            }

            var state = _runningState ??= new HeldTask();
            return state.Context ??= _createContext(running, state.Token);
        }
    }

    /// <summary>The state of <paramref name="context"/>'s task while it runs.</summary>
    /// <exception cref="InvalidOperationException">The task has ended.</exception>
    public HeldTask StateOf(TaskContext context)
    {
        lock (_lock)
        {
            if (_running is not { } running || running.TaskId != context.TaskId || running.Attempt != context.Attempt)
            {
                throw new InvalidOperationException($"task {context.TaskId} has ended; its context no longer receives messages");
            }

            return _runningState ??= new HeldTask();
        }
    }

    /// <summary>Puts a message into the inbox of the task it is for, running or queued.</summary>
    public void Deliver(TaskMessage message)
    {
        HeldTask? state = null;
        lock (_lock)
        {
            if (_running is { } running && running.TaskId == message.ToTask)
            {
                state = _runningState ??= new HeldTask();
            }
            else if (IsQueuedLocked(message.ToTask))
            {
                _waiting ??= [];
                if (!_waiting.TryGetValue(message.ToTask, out state))
                {
                    state = new HeldTask();
                    _waiting.Add(message.ToTask, state);
                }
            }
        }

        // Otherwise the message is dropped: the scheduler routes a message only to the worker that holds
        // its task, so this one has just ended here (its result is on its way) and nobody would read it.
        state?.Post(message);
    }

    /// <summary>Removes a task from the queue if it has not started, so another worker can run it.</summary>
    public Revoked TakeBack(Revoke revoke)
    {
        lock (_lock)
        {
            var taken = _queue.RemoveWhere(task => task.TaskId == revoke.TaskId && task.Attempt == revoke.Attempt);
            if (taken)
            {
                _waiting?.Remove(revoke.TaskId);
            }

            return new Revoked { TaskId = revoke.TaskId, Attempt = revoke.Attempt, Taken = taken };
        }
    }

    /// <summary>
    /// Cancels a task: a queued one is removed and returned, to be reported cancelled; a running one has its
    /// token signalled (null is returned); one not held is left alone (it has ended).
    /// </summary>
    public TaskAssignment? Cancel(Cancel cancel)
    {
        lock (_lock)
        {
            // Attempt 0 names whichever attempt this worker holds.
            if (_running is { } running && running.TaskId == cancel.TaskId && (cancel.Attempt == 0 || running.Attempt == cancel.Attempt))
            {
                (_runningState ??= new HeldTask()).Cancel();
                return null;
            }

            TaskAssignment? removed = null;
            _queue.RemoveWhere(task =>
            {
                if (removed is null && task.TaskId == cancel.TaskId && (cancel.Attempt == 0 || task.Attempt == cancel.Attempt))
                {
                    removed = task;
                    return true;
                }

                return false;
            });
            if (removed is not null)
            {
                _waiting?.Remove(removed.TaskId);
            }

            return removed;
        }
    }

    /// <summary>Asks the executing thread to unload a computation between tasks.</summary>
    public void RequestClose(long computation)
    {
        lock (_lock)
        {
            (_closing ??= []).Add(computation);
            _closingPending = true;
        }

        Signal();
    }

    /// <summary>The computations closed since the last call, or null; cheap when none were.</summary>
    public List<long>? TakeClosing()
    {
        if (!_closingPending)
        {
            return null;
        }

        lock (_lock)
        {
            var closing = _closing;
            _closing = null;
            _closingPending = false;
            return closing;
        }
    }

    /// <summary>
    /// Asks the executing thread to prepare a computation (a warm spare's, ahead of need) between tasks. What waits is
    /// bounded as the node bounds what it sends (<see cref="PreparationLimits"/>): requests for one computation merge,
    /// up to <see cref="PreparationLimits.MaxCallsPerComputation"/> assemblies and as many lambda calls, for at most
    /// <see cref="PreparationLimits.MaxComputations"/> computations; the rest is dropped (preparing is advisory: a task
    /// loads what it needs anyway). False when nothing of it was kept (a computation id that is not one is refused).
    /// </summary>
    public bool RequestPrepare(PrepareComputation prepare)
    {
        if (prepare.Computation <= 0)
        {
            return false; // Ids of computations start at 1; 0 is a task of none.
        }

        int kept;
        lock (_lock)
        {
            _preparing ??= [];
            if (!_preparing.TryGetValue(prepare.Computation, out var pending))
            {
                if (_preparing.Count >= PreparationLimits.MaxComputations)
                {
                    return false;
                }

                pending = new PrepareComputation { Computation = prepare.Computation };
                _preparing.Add(prepare.Computation, pending);
            }

            kept = AddUpTo(pending.Components, prepare.Components) + AddUpTo(pending.Lambdas, prepare.Lambdas);
            _preparingPending = true;
        }

        Signal();
        return kept > 0;
    }

    private static int AddUpTo<T>(RepeatedField<T> into, RepeatedField<T> from)
    {
        var room = Math.Min(PreparationLimits.MaxCallsPerComputation - into.Count, from.Count);
        for (var i = 0; i < room; i++)
        {
            into.Add(from[i]);
        }

        return Math.Max(room, 0);
    }

    /// <summary>The computations to prepare asked for since the last call, or null; cheap when none were.</summary>
    public List<PrepareComputation>? TakePreparing()
    {
        if (!_preparingPending)
        {
            return null;
        }

        lock (_lock)
        {
            List<PrepareComputation>? preparing = _preparing is null ? null : [.. _preparing.Values];
            _preparing = null;
            _preparingPending = false;
            return preparing;
        }
    }

    /// <summary>No more tasks: the executing thread drains the queue and stops.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
        }

        Signal();
    }

    private void Signal()
    {
        lock (_wake)
        {
            _woken = true;
            if (_sleeping)
            {
                Monitor.Pulse(_wake);
            }
        }
    }

    private bool IsQueuedLocked(long taskId)
    {
        foreach (var task in _queue)
        {
            if (task.TaskId == taskId)
            {
                return true;
            }
        }

        return false;
    }
}
