using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace FuncExec.Cli.Bench;

/// <summary>The functions <c>funcexec bench</c> runs on the workers; its own assembly travels to them as a component.</summary>
[SuppressMessage("Maintainability", "CA1515:Consider making public types internal", Justification = "Workers call these by name: only public static methods of public types can be tasks.")]
public static class BenchJobs
{
    /// <summary>Returns its argument: the cost of the task is all overhead.</summary>
    public static int Noop(int value) => value;

    /// <summary>Keeps its core busy for <paramref name="milliseconds"/>, then returns <paramref name="value"/>.</summary>
    public static int Spin(int milliseconds, int value)
    {
        var until = Stopwatch.GetTimestamp() + (milliseconds * Stopwatch.Frequency / 1000);
        while (Stopwatch.GetTimestamp() < until)
        {
            Thread.SpinWait(20);
        }

        return value;
    }
}
