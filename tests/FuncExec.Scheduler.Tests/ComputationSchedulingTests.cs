using FuncExec.Core.Tasks;
using FuncExec.Protocol.V1;

namespace FuncExec.Scheduler.Tests;

public sealed class ComputationSchedulingTests
{
    private static SubmittedTaskSpec Task(string name, int? node = null, int? worker = null) => Specs.Of(name, node: node, worker: worker);

    private static (ClusterScheduler Scheduler, RecordingNode Node) Start(int workers, bool ready = true)
    {
        var scheduler = new ClusterScheduler();
        var node = new RecordingNode(workers);
        scheduler.AddNode(node, [.. Enumerable.Range(0, workers)]);
        for (var i = 0; ready && i < workers; i++)
        {
            scheduler.WorkerReady(0, i);
        }

        return (scheduler, node);
    }

    private static long Open(ClusterScheduler scheduler, ITaskObserver owner, bool exclusive = false, List<long>? scheduled = null) =>
        scheduler.OpenComputation(new ComputationRequest("c", exclusive, []), owner, id => scheduled?.Add(id));

    private static TaskResult Result(TaskAssignment a, TaskOutcome outcome = TaskOutcome.Succeeded) => new()
    {
        TaskId = a.TaskId,
        Attempt = a.Attempt,
        Outcome = outcome,
        StartedUnixUs = 1_000_000,
        FinishedUnixUs = 1_500_000,
    };

    private static SubmittedTaskSpec[] Many(string prefix, int count) => [.. Enumerable.Range(0, count).Select(i => Task($"{prefix}{i}"))];

    [Fact]
    public void Shared_TwoComputationsWithLongQueues_EachGetsHalfTheWorkersWhateverTheOrder()
    {
        var (scheduler, node) = Start(4);
        var observer = new RecordingObserver();
        var a = Open(scheduler, observer);
        var b = Open(scheduler, observer);
        scheduler.Submit(a, Many("a", 40), observer);
        scheduler.Submit(b, Many("b", 40), observer);

        // Run 40 tasks to completion, each worker finishing its oldest task in turn.
        var done = new int[4];
        var started = new List<long>();
        for (var round = 0; round < 10; round++)
        {
            for (var w = 0; w < 4; w++)
            {
                var task = node.Assigned[w][done[w]++];
                started.Add(task.Computation);
                scheduler.OnResults(0, w, [Result(task)]);
            }
        }

        // The first 8 are what the first computation got while alone (a running and a prefetched task per worker);
        // from then on the two alternate.
        Assert.All(started.Take(8), c => Assert.Equal(a, c));
        Assert.InRange(started.Skip(8).Count(c => c == a), 14, 18);
    }

    [Fact]
    public void Exclusive_QueuedFifo_HoldsEveryWorkerUntilClosed()
    {
        var (scheduler, node) = Start(2);
        var observer = new RecordingObserver();
        var scheduled = new List<long>();
        var shared = Open(scheduler, observer, scheduled: scheduled);
        var first = Open(scheduler, observer, exclusive: true, scheduled);
        var second = Open(scheduler, observer, exclusive: true, scheduled);
        Assert.Equal([shared, first], scheduled);

        scheduler.Submit(shared, Many("s", 3), observer);
        Assert.Empty(node.AllInOrder);

        scheduler.Submit(first, Many("e", 1), observer);
        var running = Assert.Single(node.Assigned.SelectMany(w => w));
        Assert.Equal(first, running.Computation);

        // Its last task is reported and it closes: the second exclusive one gets the workers, still not the shared one.
        scheduler.OnResults(0, node.Assigned[0].Count > 0 ? 0 : 1, [Result(running)]);
        scheduler.CloseComputation(first);
        Assert.Equal([shared, first, second], scheduled);
        Assert.Single(node.AllInOrder);

        scheduler.CloseComputation(second);
        Assert.Equal(3, node.AllInOrder.Count - 1);
        Assert.All(node.Assigned.SelectMany(w => w).Skip(1), t => Assert.Equal(shared, t.Computation));
    }

    [Fact]
    public void Close_KillsRunningDropsQueued_ThenNodesUnloadIt()
    {
        var (scheduler, node) = Start(1);
        var observer = new RecordingObserver();
        var computation = Open(scheduler, observer);
        scheduler.Submit(computation, Many("t", 5), observer);
        var closed = false;

        scheduler.CloseComputation(computation, () => closed = true);

        var running = node.Assigned[0][0];
        Assert.Contains((0, running.TaskId), node.Killed);
        Assert.All(observer.Finished, f => Assert.Equal(TaskState.Killed, f.Report.State));
        Assert.False(closed);
        Assert.DoesNotContain(node.Computations, c => c.Closed);

        // The node reports what became of everything it held.
        foreach (var task in node.Assigned[0])
        {
            scheduler.OnResults(0, 0, [Result(task, TaskOutcome.Killed)]);
        }

        Assert.True(closed);
        Assert.Equal(5, observer.Finished.Count);
        Assert.Contains(node.Computations, c => c.Computation == computation && c.Closed);
        Assert.Throws<ComputationClosedException>(() => scheduler.Submit(computation, Many("late", 1), observer));
    }

    [Fact]
    public void Forget_OwnerLeaves_ItsComputationsClose()
    {
        var (scheduler, node) = Start(1);
        var owner = new RecordingObserver();
        var scheduled = new List<long>();
        var exclusive = Open(scheduler, owner, exclusive: true, scheduled);
        var other = new RecordingObserver();
        var waiting = Open(scheduler, other, exclusive: true, scheduled);

        scheduler.Forget(owner);

        Assert.Equal([exclusive, waiting], scheduled);
        Assert.Contains(node.Computations, c => c.Computation == exclusive && c.Closed);
    }

    [Fact]
    public void Pinned_TaskForABusyWorker_WaitsWithoutHoldingUpOthers()
    {
        var (scheduler, node) = Start(2, ready: false);
        var observer = new RecordingObserver();
        var computation = Open(scheduler, observer);
        scheduler.WorkerReady(0, 0);

        var ids = scheduler.Submit(computation, [Task("pinned", node: 0, worker: 1), Task("free")], observer);

        Assert.Equal([ids[1]], node.Assigned[0].Select(t => t.TaskId));
        Assert.Empty(node.Assigned[1]);
        scheduler.WorkerReady(0, 1);
        Assert.Equal([ids[0]], node.Assigned[1].Select(t => t.TaskId));
    }

    [Fact]
    public void Submit_ForANodeOrWorkerNotThere_RefusedNamingIt()
    {
        var (scheduler, _) = Start(2);
        var observer = new RecordingObserver();
        var computation = Open(scheduler, observer);

        var node = Assert.Throws<ResourceRequestException>(() => scheduler.Submit(computation, [Task("t", node: 3)], observer));
        var worker = Assert.Throws<ResourceRequestException>(() => scheduler.Submit(computation, [Task("t", node: 0, worker: 5)], observer));

        Assert.Contains("node 3", node.Message, StringComparison.Ordinal);
        Assert.Contains("worker 5", worker.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SendToTask_Queued_FollowsItsAssignment_FinishedIsRefused()
    {
        var (scheduler, node) = Start(1, ready: false);
        var observer = new RecordingObserver();
        var computation = Open(scheduler, observer);
        var id = scheduler.Submit(computation, [Task("t")], observer)[0];

        Assert.Null(scheduler.SendToTask(observer, new TaskMessage { ToTask = id }));
        Assert.Empty(node.Delivered);
        scheduler.WorkerReady(0, 0);
        Assert.Equal(id, Assert.Single(node.Delivered).Message.ToTask);

        scheduler.OnResults(0, 0, [Result(node.Assigned[0][0])]);
        Assert.Contains("finished", scheduler.SendToTask(observer, new TaskMessage { ToTask = id }), StringComparison.Ordinal);
        Assert.NotNull(scheduler.SendToTask(new RecordingObserver(), new TaskMessage { ToTask = 999 }));
    }

    [Fact]
    public void OnTaskMessage_ToClientAndToTasks_RoutedAndAcknowledged()
    {
        var (scheduler, node) = Start(2);
        var observer = new RecordingObserver();
        var computation = Open(scheduler, observer);
        var other = Open(scheduler, observer);
        var ids = scheduler.Submit(computation, [Task("a"), Task("b")], observer);
        var stranger = scheduler.Submit(other, [Task("c")], observer)[0];

        scheduler.OnTaskMessage(0, 0, new TaskMessage { FromTask = ids[0], ToTask = 0, Sequence = 1 });
        scheduler.OnTaskMessage(0, 0, new TaskMessage { FromTask = ids[0], ToTask = ids[1], Sequence = 2 });
        scheduler.OnTaskMessage(0, 0, new TaskMessage { FromTask = ids[0], ToTask = stranger, Sequence = 3 });

        Assert.Equal(ids[0], Assert.Single(observer.Messages).FromTask);
        Assert.Contains(node.Delivered, d => d.Message.ToTask == ids[1]);
        Assert.Equal(string.Empty, node.Acks.Single(a => a.Ack.Sequence == 1).Ack.Error);
        Assert.Equal(string.Empty, node.Acks.Single(a => a.Ack.Sequence == 2).Ack.Error);
        Assert.Contains("another computation", node.Acks.Single(a => a.Ack.Sequence == 3).Ack.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancel_QueuedEndsAtOnce_RunningGetsGraceAndIsNotRetried()
    {
        var (scheduler, node) = Start(1);
        var observer = new RecordingObserver();
        var computation = Open(scheduler, observer);
        var first = Task("first");
        var ids = scheduler.Submit(computation, [Specs.Of("r", first.Assignment, retries: 3), Task("q")], observer);

        Assert.Equal(CancelRequest.Sent, scheduler.Cancel(ids[0], TimeSpan.FromSeconds(2)));
        var queued = node.AllInOrder.Contains(ids[1]) ? CancelRequest.Sent : CancelRequest.CancelledQueued;
        Assert.Equal(queued, scheduler.Cancel(ids[1], TimeSpan.Zero));
        Assert.Equal((0, ids[0], TimeSpan.FromSeconds(2)), node.Cancelled[0]);

        scheduler.OnResults(0, 0, [Result(node.Assigned[0][0], TaskOutcome.Failed)]);

        var report = observer.Finished.Single(f => f.Report.Id == ids[0]).Report;
        Assert.Equal(TaskState.Failed, report.State);
        Assert.Equal(1, report.Attempts);
        Assert.Equal(CancelRequest.NotFound, scheduler.Cancel(ids[0], TimeSpan.Zero));
    }

    [Fact]
    public void Subscribe_TaskLifecycle_QueuedStartedFinishedInOrder()
    {
        var (scheduler, node) = Start(1);
        var events = new List<ClusterEvent>();
        using var subscription = scheduler.Subscribe(events.AddRange);
        var observer = new RecordingObserver();
        var computation = Open(scheduler, observer);
        var ids = scheduler.Submit(computation, [Task("a"), Task("b")], observer);

        scheduler.OnResults(0, 0, [Result(node.Assigned[0][0])]);

        Assert.Equal(ClusterEventKind.ComputationScheduled, events[0].Kind);
        Assert.Equal(
            [$"queued {ids[0]}", $"queued {ids[1]}", $"started {ids[0]}", $"finished {ids[0]}", $"started {ids[1]}"],
            events.Skip(1).Select(e => e.Kind switch
            {
                ClusterEventKind.TaskQueued => $"queued {e.TaskId}",
                ClusterEventKind.TaskStarted => $"started {e.TaskId}",
                ClusterEventKind.TaskFinished => $"finished {e.TaskId}",
                _ => e.Kind.ToString(),
            }).Take(5));
    }
}
