using System.Runtime.Loader;

namespace FuncExec.TestJobs;

/// <summary>Jobs the client API tests run.</summary>
public static class ApiJobs
{
    public static int Square(int x) => x * x;

    public static int SquareNonNegative(int x) => x >= 0 ? x * x : throw new ArgumentOutOfRangeException(nameof(x), x, "negative");

    public static int Pid() => Environment.ProcessId;

    public static int Core(TaskContext ctx) => ctx.Cores[0];

    public static string Fail(string message) => throw new InvalidOperationException(message);

    public static long Length(Stream stream) => stream.Length;

    public static int Sleep(int milliseconds)
    {
        Thread.Sleep(milliseconds);
        return milliseconds;
    }

    /// <summary>The name of the load context this assembly runs in, and whether it is collectible.</summary>
    public static string LoadContext()
    {
        var context = AssemblyLoadContext.GetLoadContext(typeof(ApiJobs).Assembly)!;
        return $"{context.Name}|{context.IsCollectible}";
    }

    /// <summary>The task's files folder.</summary>
    public static string Folder(TaskContext ctx) => ctx.Directory;

    /// <summary>Tells its client it started, then sleeps a minute whatever its token says.</summary>
    public static async Task<int> StartThenIgnoreCancel(TaskContext ctx)
    {
        await ctx.SendAsync("started");
        Thread.Sleep(60_000);
        return 60_000;
    }

    /// <summary>Waits for one message and returns it.</summary>
    public static Task<string> ReceiveOne(TaskContext ctx) => ctx.ReceiveAsync<string>(ctx.CancellationToken);
}
