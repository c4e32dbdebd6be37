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
}
