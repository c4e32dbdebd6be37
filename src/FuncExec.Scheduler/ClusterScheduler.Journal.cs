using FuncExec.Core.Tasks;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler.Computations;
using FuncExec.Scheduler.Journal;
using FuncExec.Scheduler.Queueing;
using Google.Protobuf;

namespace FuncExec.Scheduler;

// The journal's side of the scheduler: records about clients that are not about tasks, and the rebuild
// of the scheduler's state from what a journal holds after a restart.
internal sealed partial class ClusterScheduler
{
    /// <summary>Journals that a client connected (or connected again) under its token, with the name it gave.</summary>
    public void ClientSeen(ITaskObserver client, string name)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (_journal is null || client.JournalToken is not { } token)
        {
            return;
        }

        var dispatch = NewDispatch();
        lock (_lock)
        {
            dispatch.Batch!.Clients.Add(new JournaledClient(token, name, DateTimeOffset.UtcNow));
            SealLocked(dispatch);
        }

        Done(dispatch);
    }

    /// <summary>Journals that <paramref name="client"/> received the reports of <paramref name="taskIds"/> (which the caller
    /// checked are its own): they are no longer kept for delivery.</summary>
    public void Acknowledge(ITaskObserver client, IReadOnlyList<long> taskIds)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(taskIds);
        if (_journal is null || client.JournalToken is null || taskIds.Count == 0)
        {
            return;
        }

        var dispatch = NewDispatch();
        lock (_lock)
        {
            dispatch.Batch!.Acknowledged.AddRange(taskIds);
            SealLocked(dispatch);
        }

        Done(dispatch);
    }

    /// <summary>Calls <paramref name="then"/> with the tags and ids of <paramref name="owner"/>'s queued and running tasks
    /// and its open computations, taken now, once every report of a task that ended before now has been handed to its
    /// observer (with a journal: once committed; outside the lock).</summary>
    public void WhenDelivered(ITaskObserver owner, Action<Dictionary<long, long>, IReadOnlyList<long>> then)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(then);
        var dispatch = NewDispatch();
        lock (_lock)
        {
            var tags = new Dictionary<long, long>();
            foreach (var (id, task) in _live)
            {
                if (task.Observer == owner)
                {
                    tags[task.Submitted.Tag] = id;
                }
            }

            IReadOnlyList<long> computations = [.. _computations.Values.Where(c => c.Id != 0 && !c.Closing && c.Owner == owner).Select(c => c.Id)];
            dispatch.After(() => then(tags, computations));
            SealLocked(dispatch);
        }

        Done(dispatch);
    }

    /// <summary>Who submitted task <paramref name="taskId"/>, while it is queued or running; null otherwise.</summary>
    public ITaskObserver? LiveOwner(long taskId)
    {
        lock (_lock)
        {
            return _live.TryGetValue(taskId, out var task) ? task.Observer : null;
        }
    }

    /// <summary>
    /// Rebuilds what a journal holds, before any node joins or client submits: computations (same ids and owners),
    /// unfinished tasks (same ids, with the attempts they started), and the next task id. A task that had started an
    /// attempt when the scheduler stopped counts it, as for a node that was lost: it is queued again while its retries
    /// allow, and fails naming the restart when none are left.
    /// </summary>
    /// <param name="state">What <see cref="ISchedulerJournal.Load"/> returned.</param>
    /// <param name="ownerOf">The client for a token (the server's detached client object).</param>
    /// <returns>How many tasks were queued again, and how many failed for want of retries.</returns>
    public (int Requeued, int Failed) Restore(JournalState state, Func<string, ITaskObserver> ownerOf)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(ownerOf);
        var dispatch = NewDispatch();
        var requeued = 0;
        var failed = 0;
        lock (_lock)
        {
            _nextId = Math.Max(_nextId, state.NextTaskId - 1);
            foreach (var journaled in state.Computations)
            {
                var components = NodeComputation.Parser.ParseFrom(journaled.Components).Components;
                var computation = new ComputationState(
                    journaled.Id, journaled.Id, new ComputationRequest(journaled.Name, journaled.Exclusive, [.. components]), ownerOf(journaled.OwnerToken), Options.Order);
                _computations[journaled.Id] = computation;
                if (!journaled.Exclusive)
                {
                    ActivateLocked(computation, dispatch);
                }
                else if (_exclusive is null)
                {
                    _exclusive = computation;
                    ActivateLocked(computation, dispatch);
                }
                else
                {
                    _exclusiveWaiting.Enqueue(computation);
                }
            }

            foreach (var journaled in state.Unfinished)
            {
                var owner = ownerOf(journaled.OwnerToken);
                var submitted = JournalEncoding.DecodeSpec(journaled.Spec);
                submitted.Assignment ??= new TaskAssignment();
                submitted.Assignment.Computation = journaled.Computation;
                var computation = journaled.Computation == 0
                    ? ImplicitComputationLocked(owner)
                    : _computations.GetValueOrDefault(journaled.Computation) ?? ImplicitComputationLocked(owner);
                var task = new QueuedTask(journaled.Id, ++_nextSequence, submitted, owner, computation) { Attempts = journaled.Attempts };
                _live[task.Id] = task;
                computation.Live++;
                if (journaled.Computation != 0 && computation.Id != journaled.Computation)
                {
                    failed++;
                    ReportLocked(task, Lost(task, $"its computation {journaled.Computation} was not in the journal when the scheduler restarted"), dispatch);
                }
                else if (task.Attempts > task.Submitted.Retries)
                {
                    failed++;
                    ReportLocked(task, Lost(task, $"the scheduler stopped while it ran (attempt {task.Attempts}) and its retries are used up; it may have run to its end before"), dispatch);
                }
                else if (task.IsPinned)
                {
                    // Node indices do not survive a restart: the node it was for is gone.
                    failed++;
                    ReportLocked(task, Lost(task, "it was to run on a given node, and the scheduler restarted, so nodes rejoined under new indices"), dispatch);
                }
                else
                {
                    requeued++;
                    EnqueueLocked(task, dispatch);
                }
            }

            // Computations whose tasks all ended while the scheduler was down stay open: their client closes them.
            SealLocked(dispatch);
        }

        Done(dispatch);
        return (requeued, failed);
    }

    private static TaskReport Lost(QueuedTask task, string why) => new()
    {
        Id = task.Id,
        Name = task.Submitted.Name,
        State = TaskState.Failed,
        Error = new FuncExec.RemoteError("FuncExec.SchedulerRestarted", why, null, Retryable: false),
        Attempts = task.Attempts,
    };

    private static byte[] ComponentsOf(ComputationRequest request)
    {
        var computation = new NodeComputation();
        computation.Components.AddRange(request.Components);
        return computation.ToByteArray();
    }
}
