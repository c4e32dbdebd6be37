using System.Globalization;
using System.Runtime.Loader;

namespace FuncExec.TestJobs;

/// <summary>Jobs the client API tests run.</summary>
public static class ApiJobs
{
    public static int Square(int x) => x * x;

    /// <summary>The square, after a few milliseconds: a map of these takes long enough to be cut in the middle.</summary>
    public static int SquareSlowly(int x)
    {
        Thread.Sleep(5);
        return x * x;
    }

    public static double Inverse(double x) => 1 / x;

    public static long SquareLong(long x) => x * x;

    public static string? Shout(string? text) => text?.ToUpperInvariant();

    public static string Describe(object value) => value.ToString() ?? string.Empty;

    public static int SquareNonNegative(int x) => x >= 0 ? x * x : throw new ArgumentOutOfRangeException(nameof(x), x, "negative");

    public static int Pid() => Environment.ProcessId;

    public static int Core(TaskContext ctx) => ctx.Cores[0];

    public static string Fail(string message) => throw new InvalidOperationException(message);

    /// <summary>Throws an <see cref="InvalidOperationException"/> whose inner exception is a thrown <see cref="FormatException"/>.</summary>
    public static int FailWithCause(string text)
    {
        try
        {
            return int.Parse(text, CultureInfo.InvariantCulture);
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"'{text}' is no count", e);
        }
    }

    /// <summary>Throws an <see cref="AggregateException"/> of two thrown causes, as a failed <c>Task.WhenAll</c> would.</summary>
    public static int FailWithTwoCauses()
    {
        var first = Task.Run(() => Throw(new ArgumentException("first")));
        var second = Task.Run(() => Throw(new TimeoutException("second")));
        Task.WaitAll(first, second);
        return 0;
    }

    private static void Throw(Exception exception) => throw exception;

    /// <summary>A number in French and a month in German, which need the machine's culture data (ICU).</summary>
    public static string[] Cultures() =>
    [
        1234.5.ToString("N1", new CultureInfo("fr-FR")),
        CultureInfo.GetCultureInfo("de-DE").DateTimeFormat.GetMonthName(3),
    ];

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
