using FuncExec.Core.Tasks;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler.Computations;
using FuncExec.Scheduler.Journal;
using FuncExec.Scheduler.Queueing;

namespace FuncExec.Scheduler;

internal sealed partial class ClusterScheduler
{
    private readonly Dictionary<long, ComputationState> _computations = [];
    private readonly Dictionary<ITaskObserver, ComputationState> _implicit = [];

    // The empty queue of the computation that ended last (see TaskQueue's storageOf).
    private TaskQueue? _endedQueue;

    // Shared computations (and implicit ones), which place tasks side by side while no exclusive one is open.
    private readonly List<ComputationState> _active = [];
    private readonly Queue<ComputationState> _exclusiveWaiting = new();
    private ComputationState? _exclusive;
    private long _nextImplicit;

    /// <summary>
    /// Opens a computation for <paramref name="owner"/>: every node is told of it (and gets its
    /// components) before any of its tasks. A shared one is scheduled at once; an exclusive one when
    /// the exclusive computations opened before it have closed.
    /// </summary>
    /// <param name="request">Its name, kind and components.</param>
    /// <param name="owner">The submitter whose departure (see <see cref="Forget"/>) closes it.</param>
    /// <param name="onScheduled">Called with its id, outside the lock, once it may place tasks.</param>
    /// <returns>Its id, which its tasks are submitted with.</returns>
    public long OpenComputation(ComputationRequest request, ITaskObserver owner, Action<long> onScheduled)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(onScheduled);
        var dispatch = NewDispatch();
        long id;
        lock (_lock)
        {
            // Ids are random, not counted: nodes keep a folder per computation, and several
            // schedulers (embedded clusters in several programs) may share one machine's folders.
            do
            {
                id = Random.Shared.NextInt64(1, long.MaxValue);
            }
            while (_computations.ContainsKey(id));

            var state = new ComputationState(id, id, request, owner, Options.Order, TakeEndedQueueLocked()) { OnScheduled = onScheduled };
            _computations[id] = state;
            if (dispatch.Journaling && owner.JournalToken is { } token)
            {
                dispatch.Batch!.Computations.Add(new JournaledComputation(id, token, request.Name, request.Exclusive, ComponentsOf(request)));
            }

            var notice = OpenNotice(state);
            foreach (var node in _nodes)
            {
                node.Channel.Computation(notice);
            }

            if (!request.Exclusive)
            {
                ActivateLocked(state, dispatch);
            }
            else if (_exclusive is null)
            {
                _exclusive = state;
                ActivateLocked(state, dispatch);
            }
            else
            {
                _exclusiveWaiting.Enqueue(state);
            }
            SealLocked(dispatch);
        }

        Done(dispatch);
        return id;
    }

    /// <summary>
    /// Closes a computation: its queued tasks end killed without running, its running ones are
    /// killed; once the last is reported, nodes unload it and <paramref name="onClosed"/> is called
    /// (outside the lock), and the next exclusive computation gets the workers.
    /// </summary>
    /// <returns>False when no such computation is open.</returns>
    public bool CloseComputation(long computation, Action? onClosed = null) => CloseComputation(computation, null, onClosed) == CloseRequest.Closing;

    /// <summary>As <see cref="CloseComputation(long, Action?)"/>, for <paramref name="requester"/>: only a computation
    /// it opened (<see cref="CloseRequest.Refused"/> otherwise); null for an administrator, who may close any.</summary>
    public CloseRequest CloseComputation(long computation, ITaskObserver? requester, Action? onClosed)
    {
        var dispatch = NewDispatch();
        lock (_lock)
        {
            if (!_computations.TryGetValue(computation, out var state) || state.Closing || computation <= 0)
            {
                return CloseRequest.NotOpen;
            }

            if (requester is not null && state.Owner != requester)
            {
                Interlocked.Increment(ref _refusedFromClients);
                return CloseRequest.Refused;
            }

            state.OnClosed = onClosed;
            CloseLocked(state, dispatch);
            DispatchLocked(dispatch);
            SealLocked(dispatch);
        }

        Done(dispatch);
        return CloseRequest.Closing;
    }

    private void CloseLocked(ComputationState state, Dispatch dispatch)
    {
        state.Closing = true;
        _active.Remove(state);
        if (!state.Active)
        {
            // An exclusive one still waiting for its turn.
            var waiting = _exclusiveWaiting.ToList();
            waiting.Remove(state);
            _exclusiveWaiting.Clear();
            foreach (var other in waiting)
            {
                _exclusiveWaiting.Enqueue(other);
            }
        }

        var queued = new List<QueuedTask>(state.Queue.Unordered);
        queued.AddRange(state.Pinned);
        state.Queue.RemoveWhere(_ => true);
        state.Pinned.Clear();
        foreach (var task in queued)
        {
            ReportUnstartedLocked(task, TaskState.Killed, dispatch);
        }

        foreach (var placement in _running.Values)
        {
            if (placement.Task.Computation == state && !placement.Killing)
            {
                placement.Killing = true;
                dispatch.Kill(placement);
            }
        }

        if (state.Live == 0)
        {
            EndComputationLocked(state, dispatch);
        }
    }

    private void EndComputationLocked(ComputationState state, Dispatch dispatch)
    {
        if (!_computations.Remove(state.Key))
        {
            return;
        }

        if (state.Queue.Count == 0 && state.Queue.Capacity is > 0 and <= MaxEndedQueueCapacity)
        {
            _endedQueue = state.Queue;
        }

        if (state.Id == 0)
        {
            _implicit.Remove(state.Owner!);
            _active.Remove(state);
            return;
        }

        if (dispatch.Journaling && state.Owner?.JournalToken is not null)
        {
            dispatch.Batch!.ClosedComputations.Add(state.Id);
        }

        var notice = new NodeComputation { Computation = state.Id, Closed = true };
        foreach (var node in _nodes)
        {
            node.Channel.Computation(notice);
        }

        if (dispatch.RecordsEvents)
        {
            dispatch.Event(ClusterEvent.ComputationClosed(Now(), state.Id, state.Name));
        }

        if (state.OnClosed is { } onClosed)
        {
            dispatch.After(onClosed);
        }

        if (_exclusive == state)
        {
            _exclusive = null;
            if (_exclusiveWaiting.TryDequeue(out var next))
            {
                _exclusive = next;
                ActivateLocked(next, dispatch);
            }
        }
    }

    private void ActivateLocked(ComputationState state, Dispatch dispatch)
    {
        state.Active = true;
        if (!state.Exclusive)
        {
            _active.Add(state);
        }

        if (dispatch.RecordsEvents)
        {
            dispatch.Event(ClusterEvent.ComputationScheduled(Now(), state.Id, state.Name, state.Exclusive));
        }

        if (state.OnScheduled is { } onScheduled)
        {
            var id = state.Id;
            dispatch.After(() => onScheduled(id));
        }
    }

    /// <summary>The largest queue (in tasks) whose storage is kept for the next computation once its own ends: 24 bytes a
    /// task, 6 MiB at most.</summary>
    internal const int MaxEndedQueueCapacity = 256 * 1024;

    /// <summary>The queue of the computation that ended last, empty, whose storage the next computation's queue takes.</summary>
    private TaskQueue? TakeEndedQueueLocked()
    {
        var queue = _endedQueue;
        _endedQueue = null;
        return queue;
    }

    /// <summary>The computation a submitter that opened none puts its tasks in; gone when its last task is reported.</summary>
    private ComputationState ImplicitComputationLocked(ITaskObserver observer)
    {
        if (!_implicit.TryGetValue(observer, out var state))
        {
            var key = --_nextImplicit;
            state = new ComputationState(key, 0, new ComputationRequest(string.Empty, false, []), observer, Options.Order, TakeEndedQueueLocked()) { Active = true };
            _implicit[observer] = state;
            _computations[key] = state;
            _active.Add(state);
        }

        return state;
    }

    private ComputationState OpenComputationLocked(long computation, ITaskObserver submitter)
    {
        if (!_computations.TryGetValue(computation, out var state) || state.Closing || computation <= 0)
        {
            throw new ComputationClosedException($"computation {computation} is closed or was never opened; open one with ScheduleAsync and submit while it is open");
        }

        if (state.Owner != submitter)
        {
            Interlocked.Increment(ref _refusedFromClients);
            throw new ComputationClosedException($"computation {computation} was opened by {AnotherClients}; a client submits only to the computations it opened");
        }

        return state;
    }

    private static NodeComputation OpenNotice(ComputationState state)
    {
        var notice = new NodeComputation { Computation = state.Id };
        notice.Components.AddRange(state.Components);
        return notice;
    }
}
