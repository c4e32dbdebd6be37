using System.Runtime.Loader;
using FuncExec.TestJobs.Formatting;

namespace FuncExec.TestJobs;

/// <summary>Functions in an assembly outside the framework, for tests of <c>--assembly</c>.</summary>
public static class Jobs
{
    public static int Add(int a, int b) => a + b;

    public static string Greet(string name) => Greeting.Format(name);

    public static Point Move(Point p, int dx) => p with { X = p.X + dx };

    public static async Task<int> DoubleLaterAsync(int x)
    {
        await Task.Delay(10).ConfigureAwait(false);
        return x * 2;
    }

    /// <summary>Receives <paramref name="n"/> numbers and sends each back to the client doubled; returns <paramref name="n"/>.</summary>
    public static async Task<int> Echo(TaskContext ctx, int n)
    {
        for (var i = 0; i < n; i++)
        {
            var x = await ctx.ReceiveAsync<int>(ctx.CancellationToken);
            await ctx.SendAsync(x * 2, ctx.CancellationToken);
        }

        return n;
    }

    /// <summary>Waits until cancelled, then ends by throwing <see cref="OperationCanceledException"/>.</summary>
    public static async Task<string> WaitForCancel(CancellationToken token)
    {
        await Task.Delay(Timeout.InfiniteTimeSpan, token);
        return "not cancelled";
    }

    /// <summary>Tells its client it started, then waits until cancelled.</summary>
    public static async Task<string> StartThenWaitForCancel(TaskContext ctx)
    {
        await ctx.SendAsync("started");
        await Task.Delay(Timeout.InfiniteTimeSpan, ctx.CancellationToken);
        return "not cancelled";
    }

    /// <summary>Keeps its core busy, never blocking, until cancelled, then ends by throwing <see cref="OperationCanceledException"/>.</summary>
    public static int SpinUntilCancelled(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            Thread.SpinWait(1000);
        }

        token.ThrowIfCancellationRequested();
        return 0;
    }

    /// <summary>Sleeps <paramref name="ms"/> milliseconds whatever happens, then returns them.</summary>
    public static int IgnoreCancel(int ms)
    {
        Thread.Sleep(ms);
        return ms;
    }

    /// <summary>Waits for one message, ignoring its token, then says whether the token was signalled meanwhile.</summary>
    public static async Task<bool> IgnoreCancelUntilMessage(TaskContext ctx)
    {
        await ctx.ReceiveAsync<string>(CancellationToken.None);
        return ctx.CancellationToken.IsCancellationRequested;
    }

    /// <summary>Reports ten steps of progress as fast as it can; returns 10.</summary>
    public static int Progress(TaskContext ctx)
    {
        for (var i = 1; i <= 10; i++)
        {
            ctx.ReportProgress(i / 10.0, $"step {i}");
        }

        return 10;
    }

    /// <summary>Sends <paramref name="text"/> to task <paramref name="taskId"/>: "delivered", or why not.</summary>
    public static async Task<string> SendTo(TaskContext ctx, long taskId, string text)
    {
        try
        {
            await ctx.SendAsync(taskId, text);
            return "delivered";
        }
        catch (MessageNotDeliveredException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>The task's id as <see cref="TaskContext.Current"/> tells it, or -1 outside a task.</summary>
    public static long CurrentTaskId() => TaskContext.Current?.TaskId ?? -1;

    /// <summary>The context's directory, the process's working directory and the load context of this assembly, joined by '|'.</summary>
    public static string Where(TaskContext ctx) =>
        $"{ctx.Directory}|{Environment.CurrentDirectory}|{AssemblyLoadContext.GetLoadContext(typeof(Jobs).Assembly)!.Name}";

    /// <summary>The text of a file, by a path relative to the working directory.</summary>
    public static string ReadFile(string path) => File.ReadAllText(path);

    /// <summary>How many computations' load contexts this worker has made and not unloaded (none is collected first).</summary>
    public static int ComputationContexts() =>
        AssemblyLoadContext.All.Count(c => c.Name?.StartsWith("FuncExec.Computation.", StringComparison.Ordinal) == true);

    /// <summary>The names of the load contexts alive once the collectible ones nobody uses are collected.</summary>
    public static string[] LoadContexts()
    {
        for (var i = 0; i < 50 && AssemblyLoadContext.All.Any(c => c.IsCollectible && c.Name?.StartsWith("FuncExec.Computation.", StringComparison.Ordinal) == true); i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        return [.. AssemblyLoadContext.All.Select(c => c.Name ?? string.Empty)];
    }
}
