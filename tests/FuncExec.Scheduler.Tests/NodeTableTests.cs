using FuncExec.Core.Tasks;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler.Resources;

namespace FuncExec.Scheduler.Tests;

/// <summary>Issue 9: what the scheduler holds stays bounded under hostile input. A node that joins and is lost
/// over and over (a fuzzer, a flapping link) leaves nothing behind once its tasks are settled, and duration
/// estimates keep a bounded number of functions whatever names clients submit.</summary>
public sealed class NodeTableTests
{
    private static SubmittedTaskSpec Task(string name, int retries = 0, int? node = null, string method = "X.Y") =>
        Specs.Of(name, new TaskAssignment { Method = new MethodCall { Name = method } }, retries: retries, node: node);

    private static TaskResult Succeeded(TaskAssignment a, long durationUs = 100) => new()
    {
        TaskId = a.TaskId,
        Attempt = a.Attempt,
        Outcome = TaskOutcome.Succeeded,
        StartedUnixUs = 1_000_000,
        FinishedUnixUs = 1_000_000 + durationUs,
    };

    [Fact]
    public void RemoveNode_NodesJoinAndAreLostThousandsOfTimes_TableHoldsOnlyTheLiveNode()
    {
        var scheduler = new ClusterScheduler();
        var stayer = new RecordingNode(1);
        var stay = scheduler.AddNode(stayer, [0]);
        var observer = new RecordingObserver();

        for (var round = 0; round < 2000; round++)
        {
            var flapping = new RecordingNode(4);
            var index = scheduler.AddNode(flapping, [0, 1, 2, 3]);
            for (var worker = 0; worker < 4; worker++)
            {
                scheduler.WorkerReady(index, worker);
            }

            // Work on it when it goes: running tasks, prefetched ones behind them, and one pinned to it.
            scheduler.Submit([Task("a", retries: 1), Task("b"), Task("c"), Task("d"), Task("e"), Task("f"), Task("pinned", node: index)], observer);
            scheduler.RemoveNode(index, "connection reset");

            Assert.Equal(1, scheduler.NodeTableCount);
        }

        var snapshot = scheduler.Snapshot();
        Assert.Equal([stay], snapshot.Nodes.Select(n => n.Index));
        Assert.Equal(2000, observer.Finished.Count(f => f.Report.Name == "pinned"));

        // What the lost nodes held went back to the queue and runs on the node that stayed.
        scheduler.WorkerReady(stay, 0);
        for (var reported = 0; reported < stayer.Assigned[0].Count; reported++)
        {
            scheduler.OnResults(stay, 0, [Succeeded(stayer.Assigned[0][reported])]);
        }

        Assert.Equal(0, scheduler.QueuedCount);
        Assert.Equal(0, scheduler.RunningCount);
        Assert.Equal(2000 * 7, observer.Finished.Count);
    }

    [Fact]
    public void Submit_ForALostNodeAfterAnotherJoined_RefusedNotSentToTheNewcomer()
    {
        var scheduler = new ClusterScheduler();
        var lost = scheduler.AddNode(new RecordingNode(1), [0]);
        scheduler.RemoveNode(lost, "no pulse for 10 s");
        var newcomer = new RecordingNode(1);
        var joined = scheduler.AddNode(newcomer, [0]);
        scheduler.WorkerReady(joined, 0);

        var error = Assert.Throws<ResourceRequestException>(() => scheduler.Submit([Task("for the lost one", node: lost)], new RecordingObserver()));

        Assert.NotEqual(lost, joined);
        Assert.Contains($"node {lost}, which is not in the cluster", error.Message, StringComparison.Ordinal);
        Assert.Empty(newcomer.Assigned[0]);
    }

    [Fact]
    public void WorkerReport_FromALostNode_IgnoredWithoutError()
    {
        var scheduler = new ClusterScheduler();
        var node = new RecordingNode(1);
        var index = scheduler.AddNode(node, [0]);
        scheduler.WorkerReady(index, 0);
        var observer = new RecordingObserver();
        scheduler.Submit([Task("a")], observer);
        var assigned = node.Assigned[0].Single();
        scheduler.RemoveNode(index, "connection reset");

        // Reports the lost node's connection delivered after it was declared lost are moot.
        Assert.Null(scheduler.WorkerReady(index, 0));
        Assert.Null(scheduler.OnResults(index, 0, [Succeeded(assigned)]));
        Assert.Null(scheduler.WorkerLost(index, 0, [], [assigned.TaskId]));
        Assert.Null(scheduler.OnProgress(index, new TaskProgress { TaskId = assigned.TaskId }));
        scheduler.RemoveNode(index, "again");

        Assert.Equal(TaskState.Failed, observer.Finished.Single().Report.State);
        Assert.Equal(0, scheduler.NodeTableCount);
    }

    [Fact]
    public void Record_MoreFunctionsThanTheCap_ForgetsTheLeastRecentlyRecorded()
    {
        var estimates = new DurationEstimates(maxFunctions: 3);
        estimates.Record(Key("a"), 10);
        estimates.Record(Key("b"), 20);
        estimates.Record(Key("c"), 30);
        estimates.Record(Key("a"), 10); // a is recent again; b is now the oldest

        estimates.Record(Key("d"), 40);

        Assert.Equal(3, estimates.Count);
        Assert.True(double.IsNaN(estimates.Estimate(Key("b"))));
        Assert.Equal(10, estimates.Estimate(Key("a")));
        Assert.Equal(30, estimates.Estimate(Key("c")));
        Assert.Equal(40, estimates.Estimate(Key("d")));
    }

    [Fact]
    public void Record_TheNewestFunctionAgain_StaysNewest_AndItsEstimateFollows()
    {
        var estimates = new DurationEstimates(maxFunctions: 3);
        estimates.Record(Key("a"), 10);
        estimates.Record(Key("b"), 20);
        estimates.Record(Key("c"), 40);
        estimates.Record(Key("c"), 20); // c was the newest already
        estimates.Record(Key("c"), 10);

        estimates.Record(Key("d"), 40); // a is the oldest

        Assert.True(double.IsNaN(estimates.Estimate(Key("a"))));
        Assert.Equal(20, estimates.Estimate(Key("b")));
        Assert.Equal(20, estimates.Estimate(Key("c")));
        estimates.Record(Key("e"), 50); // then b
        Assert.True(double.IsNaN(estimates.Estimate(Key("b"))));
        Assert.Equal(20, estimates.Estimate(Key("c")));
    }

    [Fact]
    public void Record_KeyLongerThanTheCap_NotRemembered()
    {
        var estimates = new DurationEstimates();
        var huge = Key(new string('x', DurationEstimates.MaxKeyLength));

        estimates.Record(huge, 10);

        Assert.Equal(0, estimates.Count);
        Assert.True(double.IsNaN(estimates.Estimate(huge)));
    }

    [Fact]
    public void OnResults_TasksOfManyDistinctFunctions_EstimatesStayWithinTheCap()
    {
        var scheduler = new ClusterScheduler();
        var node = new RecordingNode(1);
        var index = scheduler.AddNode(node, [0]);
        scheduler.WorkerReady(index, 0);
        var observer = new RecordingObserver();

        for (var i = 0; i < DurationEstimates.MaxFunctions * 3; i++)
        {
            scheduler.Submit([Task("t", method: $"Hostile.Name{i}")], observer);
            scheduler.OnResults(index, 0, [Succeeded(node.Assigned[0][^1])]);
        }

        Assert.Equal(DurationEstimates.MaxFunctions * 3, observer.Finished.Count);
        Assert.Equal(DurationEstimates.MaxFunctions, scheduler.EstimatedFunctionCount);
    }

    [Fact]
    public void Estimate_AnotherTaskOfTheSameFunction_SharesTheEstimate()
    {
        // Two tasks' assignments parsed from two messages: equal strings, not the same objects.
        var first = new TaskAssignment { Method = new MethodCall { Name = "Jobs.Work", Assembly = new ComponentRef { Sha256 = new string('a', 64) } } };
        var second = first.Clone();
        second.Method.Name = new string("Jobs.Work".ToCharArray());
        var other = first.Clone();
        other.Method.Assembly.Sha256 = new string('b', 64);
        var estimates = new DurationEstimates();

        estimates.Record(FunctionKey.Of(first), 100);

        Assert.Equal(100, estimates.Estimate(FunctionKey.Of(second)));
        Assert.True(double.IsNaN(estimates.Estimate(FunctionKey.Of(other))));
        Assert.True(double.IsNaN(estimates.Estimate(FunctionKey.Of(new TaskAssignment { Lambda = new LambdaMethodCall { MethodName = "Jobs.Work", Assembly = first.Method.Assembly } }))));
    }

    private static FunctionKey Key(string name) => new('m', name, string.Empty);
}
