using FuncExec.Client;
using FuncExec.Core.Tasks;
using FuncExec.IntegrationTests.Distributed;
using FuncExec.TestJobs;

namespace FuncExec.IntegrationTests.Api;

/// <summary>A <c>funcexec scheduler</c> and a two-worker <c>funcexec node</c> as separate processes, shared by a test class.</summary>
public sealed class RemoteClusterFixture : IAsyncLifetime
{
    private FuncexecProcess? _scheduler;
    private FuncexecProcess? _node;

    public string Address { get; private set; } = string.Empty;

    public string NodeDestPath { get; } = Directory.CreateTempSubdirectory("funcexec-node-").FullName;

    public async Task InitializeAsync()
    {
        (_scheduler, Address) = await FuncexecProcess.StartSchedulerAsync("--max-file-size", "100000");
        _node = FuncexecProcess.Start("node", "--scheduler", Address, "-c", "2", "--name", "n1", "--dest-path", NodeDestPath);
        await _node.WaitForAsync("joined scheduler");
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        if (_scheduler is not null)
        {
            await _scheduler.DisposeAsync();
        }
    }
}

/// <summary>The client API against separate scheduler and node processes: components, messages, cancel and kill, exclusivity, events.</summary>
public sealed class RemoteComputationTests(RemoteClusterFixture fixture) : IClassFixture<RemoteClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RunAsync_OnANodeTheCommandStarted_WorkerKeepsTheRuntimesJitDefaults_ButItsUsualTieringDelayOnOneCore()
    {
        // The node runs without tiered compilation and with FuncExec's assemblies left out of ReadyToRun (a server's
        // settings); its workers start from ReadyToRun code and tier up, as a spare's first task after a kill must.
        await using var cluster = await Cluster.ConnectAsync(fixture.Address);
        var computation = await cluster.ScheduleAsync(new ComputationOptions());

        Assert.Null(await computation.RunAsync(() => Environment.GetEnvironmentVariable("DOTNET_TieredCompilation")).WaitAsync(Patience));
        Assert.Null(await computation.RunAsync(() => Environment.GetEnvironmentVariable("DOTNET_ReadyToRunExcludeList")).WaitAsync(Patience));
        Assert.Null(await computation.RunAsync(() => Environment.GetEnvironmentVariable("FUNCEXEC_SERVER_JIT")).WaitAsync(Patience));

        // Pinned to one core, a worker would otherwise wait ten times the runtime's usual 100 ms without a method called
        // for the first time before recompiling its hot code, which a busy worker never had.
        Assert.Equal("1", await computation.RunAsync(() => Environment.GetEnvironmentVariable("DOTNET_TC_DelaySingleProcMultiplier")).WaitAsync(Patience));
        await computation.CloseAsync().WaitAsync(Patience);
    }

    [Fact]
    public async Task Status_AClientAskingForItsWorkers_LeavesTheJournalUncounted_FuncexecStatusShowsIt()
    {
        // A map's automatic chunk size asks for the workers before every map: counting a journal that keeps many
        // results would take the scheduler tenths of a second each time.
        await using var cluster = await RemoteCluster.ConnectAsync(fixture.Address);

        Assert.Null((await cluster.QueryStatusAsync().WaitAsync(Patience)).Journal);
        Assert.Equal(2, (await cluster.WorkersAsync().WaitAsync(Patience)).Count);
        var counted = await cluster.QueryStatusAsync(journal: true).WaitAsync(Patience);
        Assert.StartsWith("sqlite ", counted.Journal!.Description, StringComparison.Ordinal);

        var (exitCode, stdout, stderr) = await Funcexec.RunAsync("status", "--scheduler", fixture.Address);
        Assert.True(exitCode == 0, stderr);
        Assert.Contains("journal: sqlite ", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Components_LambdaAssemblyAndFile_ShippedToTheNodeAndLoadedPerComputation()
    {
        await using var cluster = await Cluster.ConnectAsync(fixture.Address);
        var data = Path.Combine(Directory.CreateTempSubdirectory("funcexec-api-").FullName, "input.txt");
        await File.WriteAllTextAsync(data, "remote data");
        var computation = await cluster.ScheduleAsync(new ComputationOptions { Files = { data } });

        Assert.Equal("remote data", await computation.RunAsync(() => Jobs.ReadFile("input.txt")).WaitAsync(Patience));
        var where = (await computation.RunAsync(() => ApiJobs.LoadContext())).Split('|');
        var folder = await computation.RunAsync(ctx => ApiJobs.Folder(ctx));
        Assert.Equal("True", where[1]);
        Assert.StartsWith(fixture.NodeDestPath, folder, StringComparison.Ordinal);
        Assert.Equal([1, 4, 9], await computation.MapAsync([1, 2, 3], x => ApiJobs.Square(x)));

        await computation.CloseAsync().WaitAsync(Patience);
        Assert.True(await Tasks.EventuallyAsync(() => !Directory.Exists(folder)));
    }

    [Fact]
    public async Task RunAsync_ManyDistinctCodes_NodeRunsThemFromSharedImages()
    {
        await using var cluster = await RemoteCluster.ConnectAsync(fixture.Address);
        var run = Guid.NewGuid().ToString("N");

        var reports = await cluster.RunAsync(CodeBatches.Tasks(40, run)).WaitAsync(Patience);

        CodeBatches.AssertRanFromSharedImages(reports, 40, run);
    }

    [Fact]
    public async Task RunAsync_ConcurrentFirstSubmissionsOfOneCode_EachPostedAfterItsImage_EverySucceeds()
    {
        // One client, a code it never sent: each concurrent run needs the same image. Whichever claims the upload, no
        // submission may reach the scheduler before the image does, or the node is given a task it cannot load.
        await using var cluster = await RemoteCluster.ConnectAsync(fixture.Address);
        var code = $"return \"{Guid.NewGuid():N}\".Length;";
        using var start = new Barrier(16);

        var runs = Enumerable.Range(0, 16).Select(i => Task.Run(() =>
        {
            start.SignalAndWait(Patience);
            return cluster.RunAsync([Tasks.Code($"same-code-{i}", code)]);
        })).ToList();
        var reports = (await Task.WhenAll(runs).WaitAsync(Patience)).SelectMany(r => r).ToList();

        Assert.Equal(16, reports.Count);
        Assert.All(reports, r => Assert.True(r.State == TaskState.Succeeded, $"{r.Name}: {r.State} {r.Error}"));
        Assert.All(reports, r => Assert.Equal("32", r.ResultJson));
    }

    [Fact]
    public async Task ScheduleAsync_FileOverTheSchedulersCap_RefusedNamingItAndTheClientGoesOn()
    {
        await using var cluster = await Cluster.ConnectAsync(fixture.Address);
        var big = Path.Combine(Directory.CreateTempSubdirectory("funcexec-api-").FullName, "big.bin");
        await File.WriteAllBytesAsync(big, new byte[200_000]);

        var refused = await Assert.ThrowsAsync<ComponentRefusedException>(() => cluster.ScheduleAsync(new ComputationOptions { Files = { big } }));

        Assert.Contains("big.bin", refused.Message, StringComparison.Ordinal);
        await using var computation = await cluster.ScheduleAsync();
        Assert.Equal(25, await computation.RunAsync(() => ApiJobs.Square(5)).WaitAsync(Patience));
    }

    [Fact]
    public async Task Messages_ClientToTaskTaskToClientAndTaskToTask_OverTheNetwork()
    {
        await using var cluster = await Cluster.ConnectAsync(fixture.Address);
        await using var computation = await cluster.ScheduleAsync();
        var echo = await computation.SubmitAsync(ctx => Jobs.Echo(ctx, 2));

        await echo.SendAsync(20);
        Assert.Equal(40, await echo.ReceiveAsync<int>().WaitAsync(Patience));
        await echo.SendAsync(21);
        Assert.Equal(42, await echo.ReceiveAsync<int>().WaitAsync(Patience));
        Assert.Equal(2, await echo.Result.WaitAsync(Patience));
        await Assert.ThrowsAsync<MessageNotDeliveredException>(() => echo.SendAsync(1));

        var receiver = await computation.SubmitAsync(ctx => ApiJobs.ReceiveOne(ctx));
        Assert.Equal("delivered", await computation.RunAsync(ctx => Jobs.SendTo(ctx, receiver.Id, "across")).WaitAsync(Patience));
        Assert.Equal("across", await receiver.Result.WaitAsync(Patience));
    }

    [Fact]
    public async Task CancelAndKill_OverTheNetwork_ConfirmFinalStatesAndTheFreedWorkerTakesTheNextTask()
    {
        await using var cluster = await Cluster.ConnectAsync(fixture.Address);
        await using var computation = await cluster.ScheduleAsync();
        var cooperative = await computation.SubmitAsync(ctx => Jobs.StartThenWaitForCancel(ctx));
        var stubborn = await computation.SubmitAsync(ctx => ApiJobs.StartThenIgnoreCancel(ctx));
        await cooperative.ReceiveAsync<string>().WaitAsync(Patience);
        await stubborn.ReceiveAsync<string>().WaitAsync(Patience);
        var next = await computation.SubmitAsync(() => ApiJobs.Square(9));

        Assert.Equal(TaskState.Cancelled, await cooperative.CancelAsync().WaitAsync(Patience));
        Assert.Equal(81, await next.Result.WaitAsync(Patience));
        Assert.Equal(TaskState.Killed, await stubborn.CancelAsync(TimeSpan.FromMilliseconds(200)).WaitAsync(Patience));

        var another = await computation.SubmitAsync(ctx => Jobs.StartThenWaitForCancel(ctx));
        await another.ReceiveAsync<string>().WaitAsync(Patience);
        Assert.Equal(TaskState.Killed, await another.KillAsync().WaitAsync(Patience));
        Assert.Equal(TaskState.Succeeded, await next.KillAsync());
        Assert.Equal(4, await computation.RunAsync(() => ApiJobs.Square(2)).WaitAsync(Patience));
    }

    [Fact]
    public async Task Exclusive_TwoClients_SecondWaitsForTheFirstToClose()
    {
        await using var a = await Cluster.ConnectAsync(fixture.Address);
        await using var b = await Cluster.ConnectAsync(fixture.Address);
        var first = await a.ScheduleAsync(new ComputationOptions { Exclusive = true });
        var opening = b.ScheduleAsync(new ComputationOptions { Exclusive = true });

        Assert.Equal(1, await first.RunAsync(() => ApiJobs.Square(1)).WaitAsync(Patience));
        Assert.False(opening.IsCompleted);
        await first.CloseAsync().WaitAsync(Patience);

        await using var second = await opening.WaitAsync(Patience);
        Assert.Equal(4, await second.RunAsync(() => ApiJobs.Square(2)).WaitAsync(Patience));
    }

    [Fact]
    public async Task StatusAsync_OverTheNetwork_TaskLifecycleEvents()
    {
        await using var cluster = await Cluster.ConnectAsync(fixture.Address);
        await using var computation = await cluster.ScheduleAsync();
        using var stop = new CancellationTokenSource(Patience);
        var stream = computation.StatusAsync(stop.Token);

        var task = await computation.SubmitAsync(() => ApiJobs.Square(3));
        await task.Result.WaitAsync(Patience);
        var kinds = new List<string>();
        await foreach (var e in stream)
        {
            switch (e.Kind)
            {
                case ClusterEventKind.TaskQueued when e.TaskId == task.Id:
                    kinds.Add("queued");
                    break;
                case ClusterEventKind.TaskStarted when e.TaskId == task.Id:
                    kinds.Add("started " + e.Worker);
                    break;
                case ClusterEventKind.TaskFinished when e.TaskId == task.Id:
                    kinds.Add("finished " + e.State);
                    break;
            }

            if (kinds.Count == 3)
            {
                break;
            }
        }

        Assert.Equal("queued", kinds[0]);
        Assert.StartsWith("started n1/worker-", kinds[1], StringComparison.Ordinal);
        Assert.Equal("finished Succeeded", kinds[2]);
    }
}
