using FuncExec.Core.Tasks;
using FuncExec.Protocol.V1;

namespace FuncExec.Scheduler.Tests;

/// <summary>Issue 9: each peer is limited to its role. A node reports only on what it was handed, where it was
/// handed; a client acts only on its own tasks and computations.</summary>
public sealed class RoleTests
{
    private static SubmittedTaskSpec Task(string name, int retries = 0) => Specs.Of(name, retries: retries);

    /// <summary>Two nodes of two workers each, all ready.</summary>
    private static (ClusterScheduler Scheduler, RecordingNode A, RecordingNode B) Start()
    {
        var scheduler = new ClusterScheduler();
        var a = new RecordingNode(2);
        var b = new RecordingNode(2);
        scheduler.AddNode(a, [0, 1]);
        scheduler.AddNode(b, [0, 1]);
        for (var node = 0; node < 2; node++)
        {
            for (var worker = 0; worker < 2; worker++)
            {
                scheduler.WorkerReady(node, worker);
            }
        }

        return (scheduler, a, b);
    }

    private static TaskResult Result(TaskAssignment a, string json, TaskOutcome outcome = TaskOutcome.Succeeded) => new()
    {
        TaskId = a.TaskId,
        Attempt = a.Attempt,
        Outcome = outcome,
        ResultJson = Google.Protobuf.ByteString.CopyFromUtf8(json),
        StartedUnixUs = 1_000_000,
        FinishedUnixUs = 1_100_000,
        Error = outcome == TaskOutcome.Succeeded ? null : new Protocol.V1.RemoteError { Type = "E", Message = "lost", Retryable = true },
    };

    /// <summary>Submits four tasks, one per worker; returns the one node B's worker 1 runs.</summary>
    private static TaskAssignment OnB1(ClusterScheduler scheduler, RecordingNode b, ITaskObserver observer, int retries = 0)
    {
        scheduler.Submit([Task("t0", retries), Task("t1", retries), Task("t2", retries), Task("t3", retries)], observer);
        return Assert.Single(b.Assigned[1]);
    }

    [Fact]
    public void OnResults_ResultForATaskOfAnotherNode_DroppedCountedAndTheRealResultStands()
    {
        var (scheduler, _, b) = Start();
        var observer = new RecordingObserver();
        var victim = OnB1(scheduler, b, observer);

        var refused = scheduler.OnResults(0, 1, [Result(victim, "666")]);

        Assert.Contains($"task {victim.TaskId} attempt 1", refused, StringComparison.Ordinal);
        Assert.Contains("test/worker-1", refused, StringComparison.Ordinal);
        Assert.Equal(1, scheduler.RefusedFromNodes);
        Assert.Empty(observer.Finished);

        Assert.Null(scheduler.OnResults(1, 1, [Result(victim, "42")]));
        var report = Assert.Single(observer.Finished).Report;
        Assert.Equal("42", report.ResultJson);
    }

    [Fact]
    public void OnResults_ResultFromAnotherWorkerOfTheSameNode_Dropped()
    {
        var (scheduler, _, b) = Start();
        var observer = new RecordingObserver();
        var victim = OnB1(scheduler, b, observer);

        Assert.NotNull(scheduler.OnResults(1, 0, [Result(victim, "666")]));

        Assert.Empty(observer.Finished);
        Assert.Equal(4, scheduler.RunningCount);
    }

    [Fact]
    public void OnResults_AttemptNotHandedOut_Dropped()
    {
        var (scheduler, _, b) = Start();
        var observer = new RecordingObserver();
        var victim = OnB1(scheduler, b, observer);
        var forged = Result(victim, "666");
        forged.Attempt = 2;

        Assert.NotNull(scheduler.OnResults(1, 1, [forged]));

        Assert.Empty(observer.Finished);
        Assert.Equal(1, scheduler.RefusedFromNodes);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(2)]
    [InlineData(int.MaxValue)]
    public void OnResults_WorkerTheNodeDoesNotHave_RefusedNamingIt(int worker)
    {
        var (scheduler, _, b) = Start();
        var observer = new RecordingObserver();
        var victim = OnB1(scheduler, b, observer);

        var refused = scheduler.OnResults(1, worker, [Result(victim, "666")]);

        Assert.Contains($"worker {worker} is not one of its workers", refused, StringComparison.Ordinal);
        Assert.Null(scheduler.WorkerReady(1, 1));
        Assert.NotNull(scheduler.WorkerReady(1, worker));
        Assert.NotNull(scheduler.WorkerLost(1, worker, [], [victim.TaskId]));
        Assert.NotNull(scheduler.TasksReturned(1, worker, [victim.TaskId]));
        Assert.NotNull(scheduler.OnTaskMessage(1, worker, new TaskMessage { FromTask = victim.TaskId }));
        Assert.Empty(observer.Finished);
        Assert.Equal(5, scheduler.RefusedFromNodes);
    }

    [Fact]
    public void WorkerLost_NamingTasksOfAnotherNode_LeavesThemWhereTheyRun()
    {
        var (scheduler, a, b) = Start();
        var observer = new RecordingObserver();
        var victim = OnB1(scheduler, b, observer, retries: 3);
        var own = a.Assigned[0].Single();

        var refused = scheduler.WorkerLost(0, 0, [Result(own, "null", TaskOutcome.Failed), Result(victim, "null", TaskOutcome.Failed)], [victim.TaskId]);

        Assert.Contains($"task {victim.TaskId}", refused, StringComparison.Ordinal);
        Assert.Contains("and 1 more", refused, StringComparison.Ordinal);
        Assert.Equal(2, scheduler.RefusedFromNodes);
        // Its own task was retried elsewhere; the victim was not run a second time.
        Assert.Equal(1, new[] { a, b }.SelectMany(n => n.AllInOrder).Count(id => id == victim.TaskId));
        Assert.Null(scheduler.OnResults(1, 1, [Result(victim, "42")]));
        var report = observer.Finished.Single(f => f.Report.Id == victim.TaskId).Report;
        Assert.Equal(TaskState.Succeeded, report.State);
        Assert.Equal(1, report.Attempts);
    }

    [Fact]
    public void TasksReturned_TaskOfAnotherWorker_NotRequeued()
    {
        var (scheduler, a, b) = Start();
        var observer = new RecordingObserver();
        var victim = OnB1(scheduler, b, observer);

        Assert.NotNull(scheduler.TasksReturned(0, 1, [victim.TaskId]));

        Assert.Equal(4, scheduler.RunningCount);
        Assert.Equal(0, scheduler.QueuedCount);
        Assert.Equal(1, new[] { a, b }.SelectMany(n => n.AllInOrder).Count(id => id == victim.TaskId));
    }

    [Fact]
    public void OnTaskMessage_FromATaskNotOnThatWorker_DroppedAndItsWorkerTold()
    {
        var (scheduler, a, b) = Start();
        var observer = new RecordingObserver();
        var victim = OnB1(scheduler, b, observer);

        var refused = scheduler.OnTaskMessage(0, 0, new TaskMessage { FromTask = victim.TaskId, ToTask = 0, Sequence = 7 });

        Assert.Contains($"a message from task {victim.TaskId}", refused, StringComparison.Ordinal);
        Assert.Empty(observer.Messages);
        var (worker, ack) = Assert.Single(a.Acks);
        Assert.Equal(0, worker);
        Assert.Equal(7, ack.Sequence);
        Assert.Contains($"task {victim.TaskId} is not on test/worker-0", ack.Error, StringComparison.Ordinal);

        Assert.Null(scheduler.OnTaskMessage(1, 1, new TaskMessage { FromTask = victim.TaskId, ToTask = 0 }));
        Assert.Single(observer.Messages);
    }

    [Fact]
    public void OnProgress_TaskNotOnThatNode_Dropped()
    {
        var (scheduler, _, b) = Start();
        var observer = new RecordingObserver();
        var victim = OnB1(scheduler, b, observer);

        Assert.NotNull(scheduler.OnProgress(0, new TaskProgress { TaskId = victim.TaskId, Fraction = 0.5 }));
        Assert.Empty(observer.Progress);

        Assert.Null(scheduler.OnProgress(1, new TaskProgress { TaskId = victim.TaskId, Fraction = 0.5 }));
        Assert.Single(observer.Progress);
    }

    [Fact]
    public void Kill_AnotherClientsTask_RefusedAndItRuns()
    {
        var (scheduler, a, b) = Start();
        var victim = OnB1(scheduler, b, new RecordingObserver());
        var rogue = new RecordingObserver();

        Assert.Equal(KillRequest.Refused, scheduler.Kill(victim.TaskId, rogue));
        Assert.Equal(CancelRequest.Refused, scheduler.Cancel(victim.TaskId, TimeSpan.Zero, rogue));

        Assert.Empty(b.Killed);
        Assert.Empty(b.Cancelled);
        Assert.Equal(2, scheduler.RefusedFromClients);
        Assert.Equal(KillRequest.NotFound, scheduler.Kill(12345, rogue));
        Assert.Empty(a.Killed);
    }

    [Fact]
    public void Kill_OwnTaskOrAdministrative_Sent()
    {
        var (scheduler, _, b) = Start();
        var owner = new RecordingObserver();
        var victim = OnB1(scheduler, b, owner);
        var other = Assert.Single(b.Assigned[0]);

        Assert.Equal(KillRequest.Sent, scheduler.Kill(victim.TaskId, owner));
        Assert.Equal(KillRequest.Sent, scheduler.Kill(other.TaskId, null));

        Assert.Equal([(1, victim.TaskId), (0, other.TaskId)], b.Killed);
        Assert.Equal(0, scheduler.RefusedFromClients);
    }

    [Fact]
    public void SendToTask_AnotherClientsTask_RefusedNamingTheTask()
    {
        var (scheduler, _, b) = Start();
        var victim = OnB1(scheduler, b, new RecordingObserver());

        var error = scheduler.SendToTask(new RecordingObserver(), new TaskMessage { ToTask = victim.TaskId });

        Assert.Equal($"task {victim.TaskId} is another client's; a client messages only its own tasks", error);
        Assert.Empty(b.Delivered);
        Assert.Equal(1, scheduler.RefusedFromClients);
    }

    [Fact]
    public void CloseComputation_AnotherClients_RefusedAndItStaysOpen()
    {
        var (scheduler, _, _) = Start();
        var owner = new RecordingObserver();
        var computation = scheduler.OpenComputation(new ComputationRequest("c", false, []), owner, _ => { });

        Assert.Equal(CloseRequest.Refused, scheduler.CloseComputation(computation, new RecordingObserver(), null));
        scheduler.Submit(computation, [Task("t")], owner);

        Assert.Equal(CloseRequest.Closing, scheduler.CloseComputation(computation, owner, null));
        Assert.Equal(CloseRequest.NotOpen, scheduler.CloseComputation(computation, owner, null));
    }

    [Fact]
    public void Submit_IntoAnotherClientsComputation_RefusedNamingIt()
    {
        var (scheduler, _, _) = Start();
        var computation = scheduler.OpenComputation(new ComputationRequest("c", false, []), new RecordingObserver(), _ => { });

        var refused = Assert.Throws<ComputationClosedException>(() => scheduler.Submit(computation, [Task("t")], new RecordingObserver()));

        Assert.Contains($"computation {computation} was opened by another client", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, scheduler.RunningCount);
        Assert.Equal(1, scheduler.RefusedFromClients);
    }
}
