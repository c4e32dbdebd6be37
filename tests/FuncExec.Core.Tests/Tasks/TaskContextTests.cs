
namespace FuncExec.Core.Tests.Tasks;

public sealed class TaskContextTests
{
    [Fact]
    public void Current_NoRuntimeInstalled_IsNull() => Assert.Null(TaskContext.Current);

    [Fact]
    public async Task Current_RuntimeInstalled_IsItsContextInThreadsStartedAfter()
    {
        var runtime = new FakeTaskRuntime();
        runtime.Install();

        var seen = await Task.Run(() => TaskContext.Current);

        Assert.Same(runtime.Context, TaskContext.Current);
        Assert.Same(runtime.Context, seen);
    }

    [Fact]
    public async Task SendAsync_Record_WritesJsonToTheClient()
    {
        var runtime = new FakeTaskRuntime();

        await runtime.Context.SendAsync(new Reading("a", 1.5));
        await runtime.Context.SendAsync(12, Level.High);

        Assert.Equal([(0L, """{"Name":"a","Value":1.5}"""), (12L, "\"High\"")], runtime.Sent.ToArray());
    }

    [Fact]
    public async Task SendAsync_Refused_ThrowsMessageNotDeliveredNamingTheTarget()
    {
        var runtime = new FakeTaskRuntime { Refusal = "task 99 has ended" };

        var error = await Assert.ThrowsAsync<MessageNotDeliveredException>(() => runtime.Context.SendAsync(99, "hi"));

        Assert.Equal(99, error.TaskId);
        Assert.Contains("task 99 was not delivered: task 99 has ended", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReceiveMessageAsync_FromClientAndTask_ReadsValueAndSender()
    {
        var runtime = new FakeTaskRuntime();
        runtime.Post(0, """{"name":"b","value":2}""");
        runtime.Post(5, "41");

        var first = await runtime.Context.ReceiveMessageAsync<Reading>();
        var second = await runtime.Context.ReceiveAsync<int>();

        Assert.Equal(new TaskMessage<Reading>(0, new Reading("b", 2)), first);
        Assert.Equal(41, second);
    }

    [Fact]
    public async Task ReceiveAsync_TokenCancelled_ThrowsOperationCanceled()
    {
        var runtime = new FakeTaskRuntime();
        using var cancellation = new CancellationTokenSource();

        var receive = runtime.Context.ReceiveAsync<int>(cancellation.Token);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receive);
    }

    [Fact]
    public void ReportProgress_OutOfRangeOrNaN_ClampedOrNone()
    {
        var runtime = new FakeTaskRuntime();

        runtime.Context.ReportProgress(0.5, "half");
        runtime.Context.ReportProgress(double.NaN);
        runtime.Context.ReportProgress(-3, "none");
        runtime.Context.ReportProgress(7);

        Assert.Equal([(0.5, "half"), (-1, string.Empty), (-1, "none"), (1, string.Empty)], runtime.Progress.ToArray());
    }
}

public sealed record Reading(string Name, double Value);

public enum Level
{
    Low,
    High,
}
