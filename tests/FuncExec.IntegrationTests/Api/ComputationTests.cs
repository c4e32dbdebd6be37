using System.Linq.Expressions;
using System.Text.Json;
using FuncExec.Client;
using FuncExec.Core.Tasks;
using FuncExec.TestJobs;

namespace FuncExec.IntegrationTests.Api;

/// <summary>The client API on the embedded cluster: computations, calls, placement, components, remote tasks.</summary>
public sealed class ComputationTests(ApiClusterFixture fixture) : IClassFixture<ApiClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private ICluster Cluster => fixture.Cluster;

    [Fact]
    public async Task RunAsync_StaticCallsWithCapturedArguments_ReturnTheirResults()
    {
        await using var computation = await Cluster.ScheduleAsync();
        var (a, b) = (20, 22);

        Assert.Equal(42, await computation.RunAsync(() => Jobs.Add(a, b)));
        Assert.Equal(14, await computation.RunAsync(() => Jobs.DoubleLaterAsync(7)));
        Assert.Equal(new Point(5, 2), await computation.RunAsync(() => Jobs.Move(new Point(1, 2), a / 5)));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(25 * 24 * 3600.0)]
    public async Task SubmitAsync_TimeoutZeroNegativeOrBeyond24Days_ThrowsNamingTheOptionAndTheComputationRunsOn(double seconds)
    {
        await using var computation = await Cluster.ScheduleAsync();
        var options = new TaskOptions { Timeout = TimeSpan.FromSeconds(seconds) };

        var refused = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => computation.SubmitAsync(() => ApiJobs.Square(3), options));

        Assert.Contains("TaskOptions.Timeout must be longer than zero and at most 24 days", refused.Message, StringComparison.Ordinal);
        Assert.Equal(9, await computation.RunAsync(() => ApiJobs.Square(3), new TaskOptions { Timeout = TimeSpan.FromDays(24) }).WaitAsync(Patience));
    }

    [Fact]
    public async Task KillAsyncAndGetResultsAsync_OnTheEmbeddedCluster_RunningTaskPendingThenKilledAndOtherIdsUnknown()
    {
        await using var computation = await Cluster.ScheduleAsync();
        var waiting = await computation.SubmitAsync(ctx => Jobs.Echo(ctx, 1));

        var results = await Cluster.GetResultsAsync([waiting.Id, 987_654_321]);
        Assert.Empty(results.Reports);
        Assert.Equal([waiting.Id], results.Pending);
        Assert.Equal([987_654_321L], results.Unknown);
        Assert.Contains("keeps no report", results.Error, StringComparison.Ordinal);

        Assert.Contains(await Cluster.KillAsync(waiting.Id), new[] { "sent", "killed" });
        Assert.Equal(TaskState.Killed, (await waiting.Completion.WaitAsync(Patience)).State);
        Assert.Equal("not-found", await Cluster.KillAsync(waiting.Id));
        Assert.Equal([waiting.Id], (await Cluster.GetResultsAsync([waiting.Id])).Unknown);
    }

    [Fact]
    public async Task RunAsync_TaskThrows_TaskFailedExceptionCarriesRemoteTypeMessageAndStack()
    {
        await using var computation = await Cluster.ScheduleAsync();

        var error = await Assert.ThrowsAsync<TaskFailedException>(() => computation.RunAsync(() => ApiJobs.Fail("boom")));

        Assert.Equal(TaskState.Failed, error.State);
        Assert.Equal("System.InvalidOperationException", error.RemoteType);
        Assert.Equal("boom", error.RemoteMessage);
        Assert.Contains("ApiJobs.Fail", error.RemoteStackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_TaskThrowsWithAnInnerException_TaskFailedExceptionCarriesTheCause()
    {
        await using var computation = await Cluster.ScheduleAsync();

        var error = await Assert.ThrowsAsync<TaskFailedException>(() => computation.RunAsync(() => ApiJobs.FailWithCause("many")));

        Assert.Equal("System.InvalidOperationException", error.RemoteType);
        var cause = Assert.Single(error.RemoteInner);
        Assert.Equal("System.FormatException", cause.Type);
        Assert.Contains("ApiJobs.FailWithCause", cause.StackTrace, StringComparison.Ordinal);
        Assert.Empty(cause.Inner);
        var remote = Assert.IsType<RemoteException>(error.InnerException);
        Assert.Equal("System.InvalidOperationException", remote.RemoteType);
        Assert.Equal("System.FormatException", Assert.IsType<RemoteException>(remote.InnerException).RemoteType);
        var text = error.ToString();
        Assert.Contains("---> System.InvalidOperationException: 'many' is no count", text, StringComparison.Ordinal);
        Assert.Contains("---> System.FormatException: ", text, StringComparison.Ordinal);
        Assert.Contains("ApiJobs.FailWithCause", text, StringComparison.Ordinal);
        Assert.Contains("--- End of inner exception stack trace ---", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_TaskThrowsAggregateOfTwo_TaskFailedExceptionCarriesBoth()
    {
        await using var computation = await Cluster.ScheduleAsync();

        var error = await Assert.ThrowsAsync<TaskFailedException>(() => computation.RunAsync(() => ApiJobs.FailWithTwoCauses()));

        Assert.Equal("System.AggregateException", error.RemoteType);
        Assert.Equal(["System.ArgumentException", "System.TimeoutException"], error.RemoteInner.Select(e => e.Type));
        Assert.Equal(["first", "second"], error.RemoteInner.Select(e => e.Message));
        Assert.All(error.RemoteInner, e => Assert.Contains("ApiJobs.Throw", e.StackTrace, StringComparison.Ordinal));
        Assert.Equal(2, Assert.IsType<RemoteException>(error.InnerException).InnerExceptions.Count);
        var text = error.ToString();
        Assert.Contains("---> System.ArgumentException: first", text, StringComparison.Ordinal);
        Assert.Contains("---> (Inner Exception #1) System.TimeoutException: second", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_TaskFormatsWithFrenchAndGermanCultures_WorkerHasTheMachinesCultureData()
    {
        await using var computation = await Cluster.ScheduleAsync();

        var texts = await computation.RunAsync(() => ApiJobs.Cultures());

        // ICU's French group separator is the narrow no-break space, U+202F.
        Assert.Equal(["1\u202F234,5", "März"], texts);
    }

    [Fact]
    public async Task SubmitAsync_LambdaThatIsNotAStaticCallOrSendsAStream_ClearErrorAndNothingElseHarmed()
    {
        await using var computation = await Cluster.ScheduleAsync();
        var x = 1;
        using var stream = new MemoryStream([1, 2, 3]);

        var notACall = await Assert.ThrowsAsync<LambdaNotSupportedException>(() => computation.SubmitAsync(() => x + 1));
        var notData = await Assert.ThrowsAsync<LambdaNotSupportedException>(() => computation.SubmitAsync(() => ApiJobs.Length(stream)));

        Assert.Contains("public static method", notACall.Message, StringComparison.Ordinal);
        Assert.Contains("stream", notData.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(9, await computation.RunAsync(() => ApiJobs.Square(3)));
    }

    [Fact]
    public async Task MapAsync_HundredItems_ResultsInItemOrder()
    {
        await using var computation = await Cluster.ScheduleAsync();

        var squares = await computation.MapAsync(Enumerable.Range(0, 100), x => ApiJobs.Square(x));

        Assert.Equal(Enumerable.Range(0, 100).Select(x => x * x), squares);
    }

    [Fact]
    public async Task MapAsync_ItemsOfManyTypesAndLambdaShapes_TheResultsOfEachCallAlone()
    {
        await using var computation = await Cluster.ScheduleAsync();
        var points = Enumerable.Range(0, 50).Select(i => new Point(i, -2 * i)).ToArray();
        string?[] texts = ["a", "héllo wörld", "", null, "\"quoted\" <b>"];
        double[] numbers = [1, 0, 4, -0.5, double.NaN];
        object[] objects = [1, "x", 2.5];
        var offset = 3;
        var seven = new TaskOptions { ChunkSize = 7 };

        // The item passed as it is, beside a captured variable: one template for all items.
        Assert.Equal(points.Select(p => p with { X = p.X + 3 }), await computation.MapAsync(points, p => Jobs.Move(p, offset), seven));
        // The item used inside an expression: each item's call captured on its own.
        Assert.Equal(points.Select(p => -p.X), await computation.MapAsync(points, p => Jobs.Add(p.X, p.Y), seven));
        Assert.Equal(texts.Select(t => t?.ToUpperInvariant()), await computation.MapAsync(texts, t => ApiJobs.Shout(t)));
        Assert.Equal(numbers.Select(x => 1 / x), await computation.MapAsync(numbers, x => ApiJobs.Inverse(x)));
        Assert.Equal(["1", "x", "2.5"], await computation.MapAsync(objects, o => ApiJobs.Describe(o)));
        // An async method, and a conversion of the item (int to long): the general paths on both sides.
        Assert.Equal(Enumerable.Range(0, 20).Select(x => 2 * x), await computation.MapAsync(Enumerable.Range(0, 20), x => Jobs.DoubleLaterAsync(x), seven));
        Assert.Equal(Enumerable.Range(0, 20).Select(x => (long)x * x), await computation.MapAsync(Enumerable.Range(0, 20), x => ApiJobs.SquareLong(x), seven));
    }

    [Fact]
    public async Task MapAsync_ThousandsOfTinyItems_TravelAsAFewChunksAndKeepTheirOrder()
    {
        await using var computation = await Cluster.ScheduleAsync();
        using var stop = new CancellationTokenSource(Patience);
        var events = computation.StatusAsync(stop.Token);

        var squares = await computation.MapAsync(Enumerable.Range(0, 5000), x => ApiJobs.Square(x));
        var one = await computation.MapAsync(Enumerable.Range(0, 6), x => ApiJobs.Square(x), new TaskOptions { ChunkSize = 1 });

        Assert.Equal(Enumerable.Range(0, 5000).Select(x => x * x), squares);
        Assert.Equal([0, 1, 4, 9, 16, 25], one);
        var finished = 0;
        await foreach (var e in events)
        {
            if (e.Kind == ClusterEventKind.TaskFinished && ++finished == 8 + 6)
            {
                break;
            }
        }

        // 2 workers: 5000 items ÷ (4 × 2) per chunk makes 8 tasks; ChunkSize = 1 makes one per item.
        Assert.Equal(14, finished);
    }

    [Fact]
    public async Task SubmitAllAsync_ManyDifferentCallsInOneSubmission_EachOnItsWorker()
    {
        await using var computation = await Cluster.ScheduleAsync();
        var workers = await computation.WorkersAsync();
        var pids = await computation.RunEachWorkerAsync(() => ApiJobs.Pid());

        var mixed = await computation.SubmitAllAsync<int>([() => ApiJobs.Square(3), () => Jobs.Add(1, 2)]);
        var pinned = await computation.SubmitAllAtAsync(Enumerable.Range(0, 6).Select(i => (workers[i % 2], (Expression<Func<int>>)(() => ApiJobs.Pid()))));

        var results = await Task.WhenAll(mixed.Select(t => t.Result));
        Assert.Equal([9, 3], results);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => pids[i % 2]), await Task.WhenAll(pinned.Select(t => t.Result)));
    }

    [Fact]
    public async Task MapAsync_AnItemThrows_FailsWithItsExceptionNamingTheChunk()
    {
        await using var computation = await Cluster.ScheduleAsync();

        var error = await Assert.ThrowsAsync<TaskFailedException>(
            () => computation.MapAsync([1, 2, -3, 4], x => ApiJobs.SquareNonNegative(x), new TaskOptions { ChunkSize = 2 }));

        Assert.Equal("System.ArgumentOutOfRangeException", error.RemoteType);
        Assert.Contains("[2..3]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunEachWorkerAndRunAt_OneTaskPerWorker_EachOnItsOwnProcessAndCore()
    {
        await using var computation = await Cluster.ScheduleAsync();
        var workers = await computation.WorkersAsync();
        var nodes = await computation.NodesAsync();

        var pids = await computation.RunEachWorkerAsync(() => ApiJobs.Pid());
        var cores = await computation.RunEachWorkerAsync(ctx => ApiJobs.Core(ctx));
        var onLast = await computation.RunAtAsync(workers[^1], () => ApiJobs.Pid());
        var perNode = await computation.RunEachNodeAsync(() => ApiJobs.Square(4));
        var onNode = await computation.RunNodeWorkersAsync(nodes[0], () => ApiJobs.Pid());

        Assert.Equal(2, workers.Count);
        Assert.Equal(2, pids.Distinct().Count());
        Assert.Equal(workers.Select(w => w.Core), cores);
        Assert.Equal(pids[^1], onLast);
        Assert.Equal([16], perNode);
        Assert.Equal(pids, onNode);
    }

    [Fact]
    public async Task RunAsync_TaskSpecs_NamedMethodCodeStringAndCommand()
    {
        await using var computation = await Cluster.ScheduleAsync();

        Assert.Equal(7, await computation.RunAsync<int>(TaskSpec.ForMethod("System.Math.Max", 3, 7)));
        Assert.Equal(42, await computation.RunAsync<int>(TaskSpec.ForCode("return 6 * 7;")));
        var echo = await computation.RunAsync<JsonElement>(TaskSpec.ForCommand("echo", "hello"));
        Assert.Equal("hello\n", echo.GetProperty("stdout").GetString());
    }

    [Fact]
    public async Task Files_ComponentFile_IsInTheWorkingDirectoryUntilTheComputationCloses()
    {
        var data = Path.Combine(Directory.CreateTempSubdirectory("funcexec-api-").FullName, "data.txt");
        await File.WriteAllTextAsync(data, "hello from the client");
        var computation = await Cluster.ScheduleAsync(new ComputationOptions { Files = { data } });

        var text = await computation.RunAsync(() => Jobs.ReadFile("data.txt"));
        var folder = await computation.RunAsync(ctx => ApiJobs.Folder(ctx));
        Assert.Equal("hello from the client", text);
        Assert.True(Directory.Exists(folder));

        await computation.CloseAsync();
        Assert.False(Directory.Exists(folder));
        await Assert.ThrowsAsync<ComputationClosedException>(() => computation.RunAsync(() => ApiJobs.Square(1)));
    }

    [Fact]
    public async Task Components_EachComputationLoadsJobsInItsOwnCollectibleContext()
    {
        await using var first = await Cluster.ScheduleAsync(new ComputationOptions { Components = { typeof(ApiJobs).Assembly } });
        await using var second = await Cluster.ScheduleAsync();

        var a = (await first.RunAsync(() => ApiJobs.LoadContext())).Split('|');
        var b = (await second.RunAsync(() => ApiJobs.LoadContext())).Split('|');

        Assert.Equal("True", a[1]);
        Assert.Equal("True", b[1]);
        Assert.NotEqual(a[0], b[0]);
    }

    [Fact]
    public async Task ScheduleAsync_ComponentOverTheSizeCap_RefusedNamingItAndNothingHarmed()
    {
        await using var small = await FuncExec.Cluster.StartLocalAsync(new LocalClusterOptions { Workers = 1, MaxFileSize = 1000, WarmSpare = false });
        var big = Path.Combine(Directory.CreateTempSubdirectory("funcexec-api-").FullName, "big.bin");
        await File.WriteAllBytesAsync(big, new byte[5000]);

        var refused = await Assert.ThrowsAsync<ComponentRefusedException>(() => small.ScheduleAsync(new ComputationOptions { Files = { big } }));

        Assert.Contains("big.bin", refused.Message, StringComparison.Ordinal);
        Assert.Contains("5,000", refused.Message, StringComparison.Ordinal);
        await using var computation = await small.ScheduleAsync();
        Assert.Equal(4, await computation.RunAsync(() => ApiJobs.Square(2)));
    }

    [Fact]
    public async Task Exclusive_QueuedFirstComeFirstServed_HoldsEveryWorkerWhileOpen()
    {
        var first = await Cluster.ScheduleAsync(new ComputationOptions { Exclusive = true });
        var secondOpening = Cluster.ScheduleAsync(new ComputationOptions { Exclusive = true });
        await using var shared = await Cluster.ScheduleAsync();
        var sharedTask = await shared.SubmitAsync(() => ApiJobs.Square(5));

        // The first exclusive computation runs; the second waits for it, and the shared one's task waits for both.
        Assert.Equal(9, await first.RunAsync(() => ApiJobs.Square(3)));
        Assert.False(secondOpening.IsCompleted);
        Assert.False(sharedTask.IsCompleted);

        await first.CloseAsync();
        var second = await secondOpening.WaitAsync(Patience);
        Assert.Equal(16, await second.RunAsync(() => ApiJobs.Square(4)));
        Assert.False(sharedTask.IsCompleted);

        await second.CloseAsync();
        Assert.Equal(25, await sharedTask.Result.WaitAsync(Patience));
    }

    [Fact]
    public async Task Shared_SecondComputationSubmittedLater_GetsWorkersBeforeTheFirstsQueueDrains()
    {
        await using var first = await Cluster.ScheduleAsync(new ComputationOptions { Name = "first" });
        await using var second = await Cluster.ScheduleAsync(new ComputationOptions { Name = "second" });
        var started = new List<long>();
        using var watching = new CancellationTokenSource();
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stream = Cluster.StatusAsync(watching.Token);
        var listening = Task.Run(async () =>
        {
            await foreach (var e in stream)
            {
                if (e.Kind == ClusterEventKind.TaskStarted && (e.Computation == first.Id || e.Computation == second.Id))
                {
                    started.Add(e.Computation);
                    if (started.Count == 16)
                    {
                        allStarted.TrySetResult();
                    }
                }
            }
        });

        var a = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => first.SubmitAsync(() => ApiJobs.Sleep(150))));
        var b = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => second.SubmitAsync(() => ApiJobs.Sleep(150))));
        await Task.WhenAll(a.Concat(b).Select(t => t.Completion)).WaitAsync(Patience);
        await allStarted.Task.WaitAsync(Patience);
        await watching.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => listening);

        // First come, first served would start the second's first task 9th at the earliest (after
        // the first's ninth); fair sharing starts it as soon as the first's running and prefetched tasks are out.
        Assert.InRange(started.IndexOf(second.Id), 0, 5);
    }

    [Fact]
    public async Task CancelAsync_QueuedRunningIgnoringAndFinished_EachConfirmsItsFinalState()
    {
        await using var computation = await Cluster.ScheduleAsync();
        var cooperative = await computation.SubmitAsync(ctx => Jobs.StartThenWaitForCancel(ctx));
        var stubborn = await computation.SubmitAsync(ctx => ApiJobs.StartThenIgnoreCancel(ctx));
        Assert.Equal("started", await cooperative.ReceiveAsync<string>().WaitAsync(Patience));
        Assert.Equal("started", await stubborn.ReceiveAsync<string>().WaitAsync(Patience));
        var queued = await computation.SubmitAsync(() => ApiJobs.Square(6));

        Assert.Equal(TaskState.Cancelled, await queued.CancelAsync().WaitAsync(Patience));
        Assert.Null((await queued.Completion).Started);
        Assert.Equal(TaskState.Cancelled, await cooperative.CancelAsync().WaitAsync(Patience));
        Assert.Equal(TaskState.Killed, await stubborn.CancelAsync(TimeSpan.FromMilliseconds(300)).WaitAsync(Patience));

        var quick = await computation.SubmitAsync(() => ApiJobs.Square(7));
        Assert.Equal(49, await quick);
        Assert.Equal(TaskState.Succeeded, await quick.CancelAsync());
    }

    [Fact]
    public async Task KillAsync_RunningTask_KilledAndTheNextQueuedTaskRunsOnTheFreedWorker()
    {
        await using var computation = await Cluster.ScheduleAsync();
        var first = await computation.SubmitAsync(ctx => Jobs.StartThenWaitForCancel(ctx));
        var second = await computation.SubmitAsync(ctx => Jobs.StartThenWaitForCancel(ctx));
        await first.ReceiveAsync<string>().WaitAsync(Patience);
        await second.ReceiveAsync<string>().WaitAsync(Patience);
        var next = await computation.SubmitAsync(() => ApiJobs.Square(8));

        Assert.Equal(TaskState.Killed, await first.KillAsync().WaitAsync(Patience));

        Assert.Equal(64, await next.Result.WaitAsync(Patience));
        Assert.Equal((await first.Completion).Worker, (await next.Completion).Worker);
        Assert.Equal(TaskState.Killed, await second.KillAsync().WaitAsync(Patience));
    }

    [Fact]
    public async Task Messages_ClientAndTasks_RoundTripsInOrderAndRefusalsAreClear()
    {
        await using var computation = await Cluster.ScheduleAsync();
        var echo = await computation.SubmitAsync(ctx => Jobs.Echo(ctx, 3));
        foreach (var n in new[] { 1, 2, 3 })
        {
            await echo.SendAsync(n);
        }

        var doubled = new List<int>();
        await foreach (var message in echo.ReadMessagesAsync<int>().WithCancellation(CancellationToken.None))
        {
            doubled.Add(message);
        }

        Assert.Equal([2, 4, 6], doubled);
        Assert.Equal(3, await echo);
        var late = await Assert.ThrowsAsync<MessageNotDeliveredException>(() => echo.SendAsync(4));
        Assert.Contains("ended", late.Message, StringComparison.Ordinal);

        var receiver = await computation.SubmitAsync(ctx => ApiJobs.ReceiveOne(ctx));
        var sender = await computation.SubmitAsync(ctx => Jobs.SendTo(ctx, receiver.Id, "hi there"));
        Assert.Equal("delivered", await sender.Result.WaitAsync(Patience));
        Assert.Equal("hi there", await receiver.Result.WaitAsync(Patience));
        var toEnded = await computation.RunAsync(ctx => Jobs.SendTo(ctx, receiver.Id, "too late"));
        Assert.Contains("not delivered", toEnded, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Progress_TaskReports_ClientSeesTheLastReport()
    {
        await using var computation = await Cluster.ScheduleAsync();
        var seen = new List<TaskProgressInfo>();
        var task = await computation.SubmitAsync(ctx => Jobs.Progress(ctx));
        task.ProgressChanged += (_, progress) =>
        {
            lock (seen)
            {
                seen.Add(progress);
            }
        };

        Assert.Equal(10, await task);
        Assert.Equal(new TaskProgressInfo(1.0, "step 10"), task.Progress);
    }

    [Fact]
    public async Task StatusAsync_TaskAndWorkerEvents_ArriveAsTheyHappen()
    {
        await using var computation = await Cluster.ScheduleAsync();
        using var stop = new CancellationTokenSource(Patience);
        var events = new List<ClusterEvent>();
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var workerBack = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stream = Cluster.StatusAsync(stop.Token);
        var listening = Task.Run(async () =>
        {
            await foreach (var e in stream)
            {
                lock (events)
                {
                    events.Add(e);
                }

                if (e is { Kind: ClusterEventKind.TaskFinished, State: TaskState.Killed })
                {
                    finished.TrySetResult();
                }

                if (e.Kind == ClusterEventKind.WorkerStarted && finished.Task.IsCompleted)
                {
                    workerBack.TrySetResult();
                }
            }
        });

        var task = await computation.SubmitAsync(ctx => Jobs.StartThenWaitForCancel(ctx));
        await task.ReceiveAsync<string>().WaitAsync(Patience);
        await task.KillAsync();
        await finished.Task.WaitAsync(Patience);
        await workerBack.Task.WaitAsync(Patience);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => listening);

        List<ClusterEvent> seen;
        lock (events)
        {
            seen = [.. events];
        }

        Assert.Contains(seen, e => e.Kind == ClusterEventKind.TaskQueued && e.TaskId == task.Id && e.Computation == computation.Id);
        Assert.Contains(seen, e => e.Kind == ClusterEventKind.TaskStarted && e.TaskId == task.Id);
        Assert.Contains(seen, e => e.Kind == ClusterEventKind.TaskFinished && e.TaskId == task.Id && e.State == TaskState.Killed);
        Assert.Contains(seen, e => e.Kind == ClusterEventKind.WorkerDied);
        Assert.Contains(seen, e => e.Kind == ClusterEventKind.WorkerStarted);
    }

    [Fact]
    public async Task CloseAsync_TasksStillRunning_AreKilled()
    {
        var computation = await Cluster.ScheduleAsync();
        var running = await computation.SubmitAsync(ctx => Jobs.StartThenWaitForCancel(ctx));
        await running.ReceiveAsync<string>().WaitAsync(Patience);

        await computation.CloseAsync().WaitAsync(Patience);

        Assert.Equal(TaskState.Killed, (await running.Completion).State);
    }
}
