using FuncExec.Client;
using FuncExec.Core.Tasks;
using FuncExec.TestJobs;

namespace FuncExec.IntegrationTests.Worker;

/// <summary>The task context through the whole stack: client, embedded scheduler and node, real worker processes.</summary>
public sealed class TaskContextEndToEndTests
{
    [Fact]
    public async Task SubmitAsync_JobTakingItsContext_ExchangesMessagesAndReadsTheComputationsFiles()
    {
        var data = Path.Combine(Directory.CreateTempSubdirectory("funcexec-files-").FullName, "data.txt");
        await File.WriteAllTextAsync(data, "from the client");
        await using var cluster = await Cluster.StartLocalAsync(new LocalClusterOptions { Workers = 2 });
        await using var computation = await cluster.ScheduleAsync(new ComputationOptions { Components = { typeof(Jobs).Assembly }, Files = { data } });

        // The context parameter is always the worker's; what the lambda passes there is not sent.
        var echo = await computation.SubmitAsync(() => Jobs.Echo(null!, 2));
        await echo.SendAsync(5);
        var first = await echo.ReceiveAsync<int>();
        await echo.SendAsync(8);
        var second = await echo.ReceiveAsync<int>();
        var text = await computation.RunAsync(() => Jobs.ReadFile("data.txt"));

        Assert.Equal((10, 16), (first, second));
        Assert.Equal(2, await echo);
        Assert.Equal("from the client", text);
        Directory.Delete(Path.GetDirectoryName(data)!, recursive: true);
    }

    [Fact]
    public async Task CancelAsync_RunningJobHonouringItsToken_EndsCancelled()
    {
        await using var cluster = await Cluster.StartLocalAsync(new LocalClusterOptions { Workers = 2 });
        await using var computation = await cluster.ScheduleAsync(new ComputationOptions { Components = { typeof(Jobs).Assembly } });
        var waiting = await computation.SubmitAsync(() => Jobs.IgnoreCancelUntilMessage(null!));
        await waiting.SendAsync("go");
        Assert.False(await waiting);

        var task = await computation.SubmitAsync(() => Jobs.StartThenWaitForCancel(null!));
        Assert.Equal("started", await task.ReceiveAsync<string>());
        var state = await task.CancelAsync();

        Assert.Equal(TaskState.Cancelled, state);
    }
}
