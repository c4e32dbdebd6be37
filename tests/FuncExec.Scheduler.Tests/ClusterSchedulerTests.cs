using FuncExec.Core.Tasks;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler.Computations;
using FuncExec.Scheduler.Queueing;

namespace FuncExec.Scheduler.Tests;

public sealed class ClusterSchedulerTests
{
    private static SubmittedTaskSpec Task(string name, int cores = 1, int priority = 0, int retries = 0) =>
        Specs.Of(name, cores: cores, priority: priority, retries: retries);

    private static (ClusterScheduler Scheduler, RecordingNode Node) Start(int workers, TaskOrder order = TaskOrder.Priority, bool ready = true)
    {
        var scheduler = new ClusterScheduler(new SchedulerOptions { Order = order });
        var node = new RecordingNode(workers);
        scheduler.AddNode(node, [.. Enumerable.Range(0, workers)]);
        if (ready)
        {
            for (var i = 0; i < workers; i++)
            {
                scheduler.WorkerReady(0, i);
            }
        }

        return (scheduler, node);
    }

    private static TaskResult Succeeded(TaskAssignment a, long durationUs = 100_000) => new()
    {
        TaskId = a.TaskId,
        Attempt = a.Attempt,
        Outcome = TaskOutcome.Succeeded,
        StartedUnixUs = 1_000_000,
        FinishedUnixUs = 1_000_000 + durationUs,
    };

    private static TaskResult Failed(TaskAssignment a, bool retryable = true) => new()
    {
        TaskId = a.TaskId,
        Attempt = a.Attempt,
        Outcome = TaskOutcome.Failed,
        Error = new Protocol.V1.RemoteError { Type = "E", Message = "boom", Retryable = retryable },
    };

    [Fact]
    public void Submit_PriorityOrder_HigherPriorityPlacedFirstThenSubmissionOrder()
    {
        var (scheduler, node) = Start(1, ready: false);
        var ids = scheduler.Submit([Task("low"), Task("high", priority: 5), Task("low2"), Task("mid", priority: 1)], new RecordingObserver());
        scheduler.WorkerReady(0, 0);

        // One slot, depth 1 before any result: placed one at a time, in order.
        var placed = new List<long>();
        while (node.Assigned[0].Count > placed.Count)
        {
            var next = node.Assigned[0][placed.Count];
            placed.Add(next.TaskId);
            scheduler.OnResults(0, 0, [Succeeded(next)]);
        }

        Assert.Equal([ids[1], ids[3], ids[0], ids[2]], placed);
    }

    [Fact]
    public void Submit_FewestCoresFirst_NarrowTasksBeforeWideOnes()
    {
        var comparer = TaskQueue.Comparer(TaskOrder.FewestCoresFirst);
        var observer = new RecordingObserver();
        var computation = new ComputationState(-1, 0, new ComputationRequest("test", false, []), observer, TaskOrder.FewestCoresFirst);
        var wide = new QueuedTask(1, 1, Task("wide", cores: 2), observer, computation);
        var narrow = new QueuedTask(2, 2, Task("narrow", cores: 1), observer, computation);

        Assert.True(comparer.Compare(narrow, wide) < 0);
        Assert.True(TaskQueue.Comparer(TaskOrder.Fifo).Compare(wide, narrow) < 0);
    }

    [Fact]
    public void TaskQueue_StorageOfAnEmptyEndedQueue_IsTakenWhole_AQueueHoldingTasksKeepsIt()
    {
        var observer = new RecordingObserver();
        var computation = new ComputationState(-1, 0, new ComputationRequest("test", false, []), observer, TaskOrder.Fifo);
        var ended = new TaskQueue(TaskOrder.Fifo);
        ended.Reserve(5_000);
        var capacity = ended.Capacity;

        var next = new TaskQueue(TaskOrder.Priority, ended);
        next.Enqueue(new QueuedTask(1, 1, Task("low"), observer, computation));
        next.Enqueue(new QueuedTask(2, 2, Task("high", priority: 3), observer, computation));
        ended.Enqueue(new QueuedTask(3, 3, Task("stray"), observer, computation));

        Assert.True(capacity >= 5_000);
        Assert.Equal(capacity, next.Capacity);
        Assert.Equal((2, 1), (next.Count, ended.Count));
        Assert.Equal(["high", "low"], new[] { next.Dequeue().Submitted.Name, next.Dequeue().Submitted.Name });
        Assert.Equal("stray", ended.Dequeue().Submitted.Name);
        // A queue that holds tasks keeps its storage and its tasks.
        next.Enqueue(new QueuedTask(4, 4, Task("held"), observer, computation));
        var third = new TaskQueue(TaskOrder.Fifo, next);
        Assert.Equal((0, 1, capacity), (third.Capacity, next.Count, next.Capacity));
        Assert.Equal("held", next.Dequeue().Submitted.Name);
    }

    [Fact]
    public void Submit_AfterAnotherSubmittersRunEnded_RunsInOrderAndReportsOnlyToItsSubmitter()
    {
        var (scheduler, node) = Start(1);
        var first = new RecordingObserver();
        var firstIds = scheduler.Submit([.. Enumerable.Range(0, 3_000).Select(i => Task($"a{i}"))], first);
        var done = 0;
        while (done < node.Assigned[0].Count)
        {
            scheduler.OnResults(0, 0, [Succeeded(node.Assigned[0][done++])]);
        }

        // The first submitter's implicit computation ended with its last report; the next one's queue takes its storage.
        var second = new RecordingObserver();
        var secondIds = scheduler.Submit([Task("low"), Task("high", priority: 5), Task("low2")], second);
        while (done < node.Assigned[0].Count)
        {
            scheduler.OnResults(0, 0, [Succeeded(node.Assigned[0][done++])]);
        }

        Assert.Equal(firstIds.Order(), first.Finished.Select(f => f.Report.Id).Order());
        Assert.Equal(secondIds.Order(), second.Finished.Select(f => f.Report.Id).Order());
        Assert.Equal([secondIds[1], secondIds[0], secondIds[2]], node.Assigned[0].Skip(3_000).Select(a => a.TaskId));
        Assert.Equal(0, scheduler.QueuedCount);
    }

    [Fact]
    public void Submit_FifoOrder_IgnoresPriority()
    {
        var (scheduler, node) = Start(1, TaskOrder.Fifo, ready: false);
        var ids = scheduler.Submit([Task("a"), Task("b", priority: 9)], new RecordingObserver());
        scheduler.WorkerReady(0, 0);
        scheduler.OnResults(0, 0, [Succeeded(node.Assigned[0][0])]);

        Assert.Equal([ids[0], ids[1]], node.Assigned[0].Select(a => a.TaskId));
    }

    [Fact]
    public void Submit_MoreCoresThanAnyNode_RefusedAndNothingQueued()
    {
        var (scheduler, node) = Start(2);

        var ex = Assert.Throws<ResourceRequestException>(() => scheduler.Submit([Task("ok"), Task("wide", cores: 3)], new RecordingObserver()));

        Assert.Contains("'wide' asks for 3 cores", ex.Message, StringComparison.Ordinal);
        Assert.Contains("largest node of the cluster has 2", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, scheduler.QueuedCount);
        Assert.Empty(node.AllInOrder);
    }

    [Fact]
    public void Submit_WideTask_HoldsKIdleSlotsAndCarriesAllTheirCores()
    {
        var (scheduler, node) = Start(3);
        var observer = new RecordingObserver();

        scheduler.Submit([Task("wide", cores: 2), Task("narrow")], observer);

        Assert.Single(node.Assigned[0]);
        Assert.Equal([0, 1], node.Assigned[0][0].Cores);
        Assert.Empty(node.Assigned[1]); // held by the wide task
        Assert.Single(node.Assigned[2]);
        scheduler.OnResults(0, 0, [Succeeded(node.Assigned[0][0])]);
        Assert.Equal(TaskState.Succeeded, observer.Finished.Single(f => f.Report.Name == "wide").Report.State);
        Assert.Equal([0, 1], observer.Finished.Single(f => f.Report.Name == "wide").Report.Cores);
    }

    [Fact]
    public void Submit_WideTaskBehindBusySlots_WaitsAndBlocksLaterTasksUntilSlotsDrain()
    {
        var (scheduler, node) = Start(2);
        scheduler.Submit([Task("a"), Task("b")], new RecordingObserver());
        scheduler.Submit([Task("wide", cores: 2), Task("after")], new RecordingObserver());

        Assert.Equal(2, node.AllInOrder.Count); // a and b only: wide waits, and after waits behind it
        scheduler.OnResults(0, 0, [Succeeded(node.Assigned[0][0])]);
        Assert.Equal(2, node.AllInOrder.Count);
        scheduler.OnResults(0, 1, [Succeeded(node.Assigned[1][0])]);
        Assert.Equal(2, node.Assigned[0].Single(a => a.TaskId == node.AllInOrder[2]).Cores.Count);
    }

    [Fact]
    public void OnResults_FailureWithRetriesLeft_RunsAgainAsNextAttempt()
    {
        var (scheduler, node) = Start(1);
        var observer = new RecordingObserver();
        scheduler.Submit([Task("flaky", retries: 1)], observer);

        scheduler.OnResults(0, 0, [Failed(node.Assigned[0][0])]);
        Assert.Empty(observer.Finished);
        Assert.Equal(2, node.Assigned[0][1].Attempt);
        scheduler.OnResults(0, 0, [Succeeded(node.Assigned[0][1])]);

        var report = observer.Finished.Single().Report;
        Assert.Equal(TaskState.Succeeded, report.State);
        Assert.Equal(2, report.Attempts);
    }

    [Fact]
    public void OnResults_NonRetryableFailure_ReportedAtOnceDespiteRetries()
    {
        var (scheduler, node) = Start(1);
        var observer = new RecordingObserver();
        scheduler.Submit([Task("typo", retries: 3)], observer);

        scheduler.OnResults(0, 0, [Failed(node.Assigned[0][0], retryable: false)]);

        Assert.Equal(TaskState.Failed, observer.Finished.Single().Report.State);
        Assert.Single(node.Assigned[0]);
    }

    [Fact]
    public void OnResults_StaleAttempt_Ignored()
    {
        var (scheduler, node) = Start(1);
        var observer = new RecordingObserver();
        scheduler.Submit([Task("t", retries: 1)], observer);
        var first = node.Assigned[0][0];
        scheduler.OnResults(0, 0, [Failed(first)]);

        scheduler.OnResults(0, 0, [Succeeded(first)]); // attempt 1 again: not what we wait for

        Assert.Empty(observer.Finished);
        Assert.Equal(1, scheduler.RunningCount);
    }

    [Fact]
    public void WorkerLost_RunningFailsUnstartedRequeuedWithoutUsingAnAttempt()
    {
        var (scheduler, node) = Start(2);
        var observer = new RecordingObserver();
        // Short tasks first, so slot 0 prefetches several.
        scheduler.Submit([Task("warm")], observer);
        scheduler.OnResults(0, 0, [Succeeded(node.Assigned[0][0], durationUs: 10)]);
        scheduler.Submit([.. Enumerable.Range(0, 6).Select(i => Task($"t{i}"))], observer);
        var held = node.Assigned[0].Skip(1).ToList();
        Assert.True(held.Count >= 2);

        scheduler.WorkerLost(0, 0, [Failed(held[0])], [.. held.Skip(1).Select(a => a.TaskId)]);

        Assert.Equal(TaskState.Failed, observer.Finished.Single(f => f.Report.Id == held[0].TaskId).Report.State);
        // The rest were requeued and, with slot 0 down, run on slot 1 as first attempts.
        for (var done = 0; done < node.Assigned[1].Count; done++)
        {
            scheduler.OnResults(0, 1, [Succeeded(node.Assigned[1][done])]);
        }

        foreach (var requeued in held.Skip(1))
        {
            var report = observer.Finished.Single(f => f.Report.Id == requeued.TaskId).Report;
            Assert.Equal(TaskState.Succeeded, report.State);
            Assert.Equal(1, report.Attempts);
            Assert.Equal("test/worker-1", report.Worker);
        }
    }

    [Fact]
    public void WorkerLost_ReplacedBySpare_HeldTaskPlacedOnTheSameSlotAtOnce()
    {
        var (scheduler, node) = Start(1);
        var observer = new RecordingObserver();
        scheduler.Submit([Task("killed"), Task("waiting")], observer);
        Assert.Equal(2, node.Assigned[0].Count); // a new function counts as long: one running, one behind
        var (killed, waiting) = (node.Assigned[0][0], node.Assigned[0][1]);

        scheduler.WorkerLost(0, 0, [Failed(killed)], [waiting.TaskId], replaced: true);

        // The slot never went down: the task it held goes to the new process now, without a WorkerReady.
        Assert.Equal(3, node.Assigned[0].Count);
        Assert.Equal(waiting.TaskId, node.Assigned[0][2].TaskId);
        scheduler.OnResults(0, 0, [Succeeded(node.Assigned[0][2])]);
        var report = observer.Finished.Single(f => f.Report.Id == waiting.TaskId).Report;
        Assert.Equal((TaskState.Succeeded, 1), (report.State, report.Attempts));
    }

    [Fact]
    public void WorkerLost_ReplacedWhileItsNodeDrains_SlotStaysDownAndTheHeldTaskWaits()
    {
        var (scheduler, node) = Start(1);
        scheduler.Submit([Task("killed"), Task("waiting")], new RecordingObserver());
        var (killed, waiting) = (node.Assigned[0][0], node.Assigned[0][1]);
        Assert.Null(scheduler.NodeDraining(0));

        // A node that drains takes no more work, whatever it says of its spare.
        scheduler.WorkerLost(0, 0, [Failed(killed)], [waiting.TaskId], replaced: true);

        Assert.Equal(2, node.Assigned[0].Count);
    }

    [Fact]
    public void WorkerLost_NotReplaced_HeldTaskWaitsForWorkerReady()
    {
        var (scheduler, node) = Start(1);
        scheduler.Submit([Task("killed"), Task("waiting")], new RecordingObserver());
        var (killed, waiting) = (node.Assigned[0][0], node.Assigned[0][1]);

        scheduler.WorkerLost(0, 0, [Failed(killed)], [waiting.TaskId]);
        Assert.Equal(2, node.Assigned[0].Count);

        scheduler.WorkerReady(0, 0);
        Assert.Equal(waiting.TaskId, node.Assigned[0][^1].TaskId);
    }

    [Fact]
    public void OnResults_ShortTasks_PrefetchDeepensSoWorkersNeverWait()
    {
        var (scheduler, node) = Start(1);
        scheduler.Submit([.. Enumerable.Range(0, 1000).Select(i => Task($"t{i}"))], new RecordingObserver());
        Assert.Equal(2, node.Assigned[0].Count); // a new function counts as long: one running, one behind

        scheduler.OnResults(0, 0, [Succeeded(node.Assigned[0][0], durationUs: 5), Succeeded(node.Assigned[0][1], durationUs: 5)]);

        Assert.True(node.Assigned[0].Count > 100, $"only {node.Assigned[0].Count} assigned");
    }

    [Fact]
    public void OnResults_LongTasks_PrefetchedOneDeep()
    {
        var (scheduler, node) = Start(1);
        scheduler.Submit([.. Enumerable.Range(0, 10).Select(i => Task($"t{i}"))], new RecordingObserver());
        Assert.Equal(2, node.Assigned[0].Count); // unknown duration: one running, one behind it

        scheduler.OnResults(0, 0, [Succeeded(node.Assigned[0][0], durationUs: 50_000)]);

        Assert.Equal(3, node.Assigned[0].Count);
    }

    [Fact]
    public void OnResults_WorkerGoesIdleWhileAnotherHoldsAPrefetchedLongTask_RevokesItAndRunsItOnTheIdleOne()
    {
        var (scheduler, node) = Start(2);
        var observer = new RecordingObserver();
        scheduler.Submit([.. Enumerable.Range(0, 4).Select(i => Task($"t{i}"))], observer);
        Assert.Equal(2, node.Assigned[0].Count);
        Assert.Equal(2, node.Assigned[1].Count);

        // Worker 1 finishes both of its tasks while worker 0 is still on its first.
        scheduler.OnResults(0, 1, [Succeeded(node.Assigned[1][0], 50_000), Succeeded(node.Assigned[1][1], 50_000)]);

        var prefetched = node.Assigned[0][1];
        Assert.Equal([(0, prefetched.TaskId)], node.Revoked);
        scheduler.TasksReturned(0, 0, [prefetched.TaskId]);
        Assert.Equal(prefetched.TaskId, node.Assigned[1][^1].TaskId);
        Assert.Equal(1, node.Assigned[1][^1].Attempt);
        scheduler.OnResults(0, 1, [Succeeded(node.Assigned[1][^1], 50_000)]);
        scheduler.OnResults(0, 0, [Succeeded(node.Assigned[0][0], 50_000)]);
        Assert.Equal(4, observer.Finished.Count);
        Assert.All(observer.Finished, f => Assert.Equal(1, f.Report.Attempts));
    }

    [Fact]
    public void Submit_HigherPriorityBehindPrefetchedTasks_TakesThemBackSoItRunsNext_Issue10()
    {
        var (scheduler, node) = Start(1);
        var observer = new RecordingObserver();
        scheduler.Submit([Task("warm")], observer);
        scheduler.OnResults(0, 0, [Succeeded(node.Assigned[0][0], durationUs: 10)]); // short now: prefetched deep
        var low = scheduler.Submit([.. Enumerable.Range(0, 9).Select(i => Task($"low{i}"))], observer);
        Assert.Equal(low, node.Assigned[0].Skip(1).Select(a => a.TaskId)); // one runs, eight wait on the worker

        var urgent = scheduler.Submit([Task("urgent", priority: 10)], observer)[0];

        // Every prefetched task of lower priority is taken back; the running one is left alone.
        Assert.Equal(low[1..], node.Revoked.Select(r => r.TaskId).Order());
        scheduler.TasksReturned(0, 0, low[1..]);

        // What the worker holds, in the order it runs it: the running task, the urgent one, then the returned ones placed again.
        var handed = node.Assigned[0].Skip(1).Select(a => a.TaskId).ToList();
        var held = handed.Take(1).Concat(handed.Skip(low.Length)).ToList();
        Assert.Equal([low[0], urgent, .. low[1..]], held);
        Assert.Equal(0, scheduler.QueuedCount);
    }

    [Fact]
    public void Submit_EqualPriorityAfterPrefetchedTasks_TakesNothingBack()
    {
        var (scheduler, node) = Start(1);
        var observer = new RecordingObserver();
        scheduler.Submit([Task("warm")], observer);
        scheduler.OnResults(0, 0, [Succeeded(node.Assigned[0][0], durationUs: 10)]);
        scheduler.Submit([.. Enumerable.Range(0, 5).Select(i => Task($"a{i}", priority: 3))], observer);

        scheduler.Submit([.. Enumerable.Range(0, 5).Select(i => Task($"b{i}", priority: 3)), Task("lower", priority: 1)], observer);

        Assert.Empty(node.Revoked);
    }

    [Fact]
    public void OnResults_ShortTasks_NeverQueuedBehindALongOne()
    {
        var (scheduler, node) = Start(1);
        SubmittedTaskSpec Short() => Specs.Of("short", new TaskAssignment { Method = new MethodCall { Name = "Short.F" } });
        scheduler.Submit([Short()], new RecordingObserver());
        scheduler.OnResults(0, 0, [Succeeded(node.Assigned[0][0], durationUs: 5)]);

        scheduler.Submit([Task("long"), Short()], new RecordingObserver());

        Assert.Equal(2, node.Assigned[0].Count); // the first short one, then the long one alone
    }

    [Fact]
    public void RemoveNode_WithRunningAndPrefetchedTasks_RetriesRunningRequeuesTheRestOnTheOtherNode()
    {
        var scheduler = new ClusterScheduler();
        var lost = new RecordingNode(1);
        var survivor = new RecordingNode(1);
        scheduler.AddNode(lost, [0]);
        scheduler.AddNode(survivor, [0]);
        scheduler.WorkerReady(0, 0);
        var observer = new RecordingObserver();
        scheduler.Submit([Task("a", retries: 1), Task("b"), Task("c")], observer);
        Assert.Equal(2, lost.Assigned[0].Count); // a running, b prefetched behind it

        scheduler.RemoveNode(0, "no pulse for 10 s");
        scheduler.WorkerReady(1, 0);

        Assert.Empty(observer.Finished);
        var onSurvivor = survivor.Assigned[0];
        Assert.Equal(2, onSurvivor.Single(t => t.TaskId == lost.Assigned[0][0].TaskId).Attempt);
        Assert.Equal(1, onSurvivor.Single(t => t.TaskId == lost.Assigned[0][1].TaskId).Attempt);
        Assert.Equal(0, scheduler.MaxTaskCores - 1);
    }

    [Fact]
    public void NodeDraining_ItsWorkersTakeNoMoreWorkEvenWhenReadyAgain_NewTasksGoToTheOtherNode()
    {
        var scheduler = new ClusterScheduler();
        var draining = new RecordingNode(2);
        var other = new RecordingNode(1);
        scheduler.AddNode(draining, [0, 1]);
        scheduler.AddNode(other, [0]);
        scheduler.WorkerReady(0, 0);
        scheduler.WorkerReady(0, 1);

        Assert.Null(scheduler.NodeDraining(0));
        Assert.Null(scheduler.NodeDraining(0)); // said twice: nothing changes
        // A worker replaced during the drain says hello: the node still takes no work.
        Assert.Contains("draining", scheduler.WorkerReady(0, 1), StringComparison.Ordinal);
        scheduler.Submit([Task("a"), Task("b")], new RecordingObserver());
        Assert.All(draining.Assigned, Assert.Empty);

        scheduler.WorkerReady(1, 0);
        Assert.Equal(2, other.Assigned[0].Count);
        Assert.All(scheduler.Snapshot().Nodes.Single(n => n.Index == 0).Workers, w => Assert.Equal("draining", w.State));
        Assert.Contains("not registered", scheduler.NodeDraining(7), StringComparison.Ordinal);
    }

    [Fact]
    public void RemoveNode_AfterDraining_RunningTaskQueuedAgainWithoutUsingAnAttempt()
    {
        var scheduler = new ClusterScheduler();
        var leaving = new RecordingNode(1);
        var staying = new RecordingNode(1);
        scheduler.AddNode(leaving, [0]);
        scheduler.AddNode(staying, [0]);
        scheduler.WorkerReady(0, 0);
        var observer = new RecordingObserver();
        scheduler.Submit([Task("long")], observer); // no retries: were the node lost, the task would fail
        var running = leaving.Assigned[0].Single();

        scheduler.NodeDraining(0);
        Assert.True(scheduler.RemoveNode(0, "the connection closed"));
        Assert.False(scheduler.RemoveNode(0, "again")); // gone already
        scheduler.WorkerReady(1, 0);

        Assert.Empty(observer.Finished);
        var again = staying.Assigned[0].Single();
        Assert.Equal(running.TaskId, again.TaskId);
        Assert.Equal(1, again.Attempt);
        scheduler.OnResults(1, 0, [Succeeded(again)]);
        Assert.Equal(TaskState.Succeeded, observer.Finished.Single().Report.State);
    }

    [Fact]
    public void RemoveNode_RunningTaskWithoutRetries_FailsNamingTheNode()
    {
        var (scheduler, _) = Start(1);
        var observer = new RecordingObserver();
        scheduler.Submit([Task("a")], observer);

        scheduler.RemoveNode(0, "connection reset");

        var report = observer.Finished.Single().Report;
        Assert.Equal(TaskState.Failed, report.State);
        Assert.Contains("node test was lost", report.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("connection reset", report.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Forget_ObserverLeft_DropsItsQueuedTasksOnly()
    {
        var (scheduler, _) = Start(1);
        var leaving = new RecordingObserver();
        var staying = new RecordingObserver();
        scheduler.Submit([Task("l1"), Task("l2"), Task("l3")], leaving);
        scheduler.Submit([Task("s1")], staying);

        var dropped = scheduler.Forget(leaving);

        Assert.Equal(1, dropped); // l1 and l2 are on the worker already
        Assert.Equal(1, scheduler.QueuedCount);
    }

    [Fact]
    public void Forget_ObserverLeftWithTasksOnAWorker_NodeAskedToKillThemAndOthersUntouched()
    {
        var (scheduler, node) = Start(2);
        var leaving = new RecordingObserver();
        var staying = new RecordingObserver();
        var left = scheduler.Submit([Task("l1")], leaving);
        var stays = scheduler.Submit([Task("s1")], staying);

        scheduler.Forget(leaving);

        Assert.Equal([left[0]], node.Killed.Select(k => k.Item2));
        Assert.DoesNotContain(stays[0], node.Killed.Select(k => k.Item2));
    }

    [Fact]
    public void Snapshot_BusyCluster_ShowsWorkersAndRunningTasks()
    {
        var (scheduler, _) = Start(2);
        scheduler.Submit([Task("a"), Task("b"), Task("c"), Task("d"), Task("e")], new RecordingObserver());

        var snapshot = scheduler.Snapshot();

        Assert.Equal(3, snapshot.Queued); // e in the queue, c and d prefetched behind a and b
        Assert.Equal(["a", "b"], snapshot.Running.Select(r => r.Name));
        Assert.Equal(["busy", "busy"], snapshot.Nodes[0].Workers.Select(w => w.State));
        Assert.Equal("a", snapshot.Nodes[0].Workers[0].CurrentTaskName);
    }

    [Fact]
    public void Kill_QueuedTask_ReportedKilledAtOnceAndNeverAssigned()
    {
        var (scheduler, node) = Start(1);
        var observer = new RecordingObserver();
        var ids = scheduler.Submit([Task("a"), Task("b"), Task("c")], observer);

        var outcome = scheduler.Kill(ids[2]);

        Assert.Equal(KillRequest.KilledQueued, outcome);
        Assert.Equal(TaskState.Killed, observer.Finished.Single().Report.State);
        Assert.DoesNotContain(node.AllInOrder, id => id == ids[2]);
        Assert.Empty(node.Killed);
    }

    [Fact]
    public void Kill_RunningTask_NodeAskedAndItsKilledResultIsFinalDespiteRetries()
    {
        var (scheduler, node) = Start(1);
        var observer = new RecordingObserver();
        var ids = scheduler.Submit([Task("victim", retries: 3)], observer);

        Assert.Equal(KillRequest.Sent, scheduler.Kill(ids[0]));
        Assert.Equal(KillRequest.Sent, scheduler.Kill(ids[0]));
        var running = node.Assigned[0][0];
        scheduler.WorkerLost(0, 0, [new TaskResult { TaskId = running.TaskId, Attempt = running.Attempt, Outcome = TaskOutcome.Killed }], []);

        Assert.Equal([(0, ids[0])], node.Killed);
        Assert.Equal(TaskState.Killed, observer.Finished.Single().Report.State);
        Assert.Single(node.Assigned[0]);
    }

    [Fact]
    public void Kill_TaskHandedBackUnstarted_ReportedKilledNotRequeued()
    {
        var (scheduler, node) = Start(1);
        var observer = new RecordingObserver();
        var ids = scheduler.Submit([Task("running"), Task("prefetched")], observer);
        Assert.Equal(2, node.Assigned[0].Count);

        scheduler.Kill(ids[1]);
        scheduler.TasksReturned(0, 0, [ids[1]]);

        Assert.Equal(TaskState.Killed, observer.Finished.Single().Report.State);
        Assert.Equal(0, scheduler.QueuedCount);
    }

    [Fact]
    public void Kill_UnknownTask_NotFound()
    {
        var (scheduler, _) = Start(1);

        Assert.Equal(KillRequest.NotFound, scheduler.Kill(12345));
    }
}
