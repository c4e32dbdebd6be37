using FuncExec.Core.Tasks;

namespace FuncExec.Core.Tests.Tasks;

public sealed class TaskFailedExceptionTests
{
    private static TaskFailedException Failed(RemoteError? error) =>
        new(new TaskReport { Id = 3, Name = "t", State = TaskState.Failed, Error = error });

    [Fact]
    public void ToString_ErrorWithCauses_PrintsRemoteTypeMessageStackAndEachCause()
    {
        var error = new RemoteError("System.AggregateException", "two", "   at Jobs.Both()")
        {
            Inner =
            [
                new RemoteError("System.ArgumentException", "first", "   at Jobs.First()") { Inner = [new RemoteError("System.IO.IOException", "disk", "   at Jobs.Disk()")] },
                new RemoteError("System.TimeoutException", "second", "   at Jobs.Second()"),
            ],
        };

        var text = Failed(error).ToString();

        Assert.True(
            text.StartsWith(
                string.Join(
                    Environment.NewLine + " ---> ",
                    "FuncExec.TaskFailedException: task 3 ('t') failed: System.AggregateException: two",
                    "System.AggregateException: two",
                    "System.ArgumentException: first",
                    "System.IO.IOException: disk"),
                StringComparison.Ordinal),
            text);
        string[] order = ["at Jobs.Disk()", "at Jobs.First()", "at Jobs.Both()", "(Inner Exception #1) System.TimeoutException: second", "at Jobs.Second()"];
        var at = order.Select(s => text.IndexOf(s, StringComparison.Ordinal)).ToArray();
        Assert.All(at, i => Assert.True(i >= 0, text));
        Assert.Equal(at.Order(), at);
    }

    [Fact]
    public void InnerException_ErrorWithCauses_IsTheRemoteChain()
    {
        var error = new RemoteError("E", "m", "at X") { Inner = [new RemoteError("C", "cause")] };

        var ex = Failed(error);

        var remote = Assert.IsType<RemoteException>(ex.InnerException);
        Assert.Equal("E", remote.RemoteType);
        Assert.Equal("at X", remote.StackTrace);
        Assert.Equal("C", Assert.IsType<RemoteException>(remote.InnerException).RemoteType);
        Assert.Same(error, ex.Error);
        Assert.Equal("cause", Assert.Single(ex.RemoteInner).Message);
    }

    [Fact]
    public void InnerException_NoError_IsNullAndNoCauses()
    {
        var ex = Failed(null);

        Assert.Null(ex.InnerException);
        Assert.Empty(ex.RemoteInner);
    }

    [Fact]
    public void Constructor_HandMadeTenThousandDeepChain_InnerExceptionsCut()
    {
        var error = new RemoteError("E", "bottom");
        for (var i = 0; i < 10_000; i++)
        {
            error = new RemoteError("E", $"{i}") { Inner = [error] };
        }

        var ex = Failed(error);

        var depth = 0;
        for (var inner = ex.InnerException!.InnerException; inner is not null; inner = inner.InnerException)
        {
            depth++;
        }

        Assert.Equal(RemoteErrorBounds.MaxDepth, depth);
        Assert.NotEmpty(ex.ToString());
    }
}
