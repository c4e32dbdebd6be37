using System.Diagnostics.CodeAnalysis;

namespace FuncExec.Cli.Bench;

/// <summary>The functions <c>funcexec bench</c> runs on the workers; its own assembly travels to them as a component.</summary>
[SuppressMessage("Maintainability", "CA1515:Consider making public types internal", Justification = "Workers call these by name: only public static methods of public types can be tasks.")]
public static class BenchJobs
{
    /// <summary>Returns its argument: the cost of the task is all overhead.</summary>
    public static int Noop(int value) => value;

    /// <summary>Keeps its core busy until the worker has used <paramref name="milliseconds"/> of CPU time, then returns
    /// <paramref name="value"/>.</summary>
    /// <remarks>CPU time, not wall time: with more workers than cores a spinning task takes longer, as real work
    /// would, instead of finishing on the clock while it shares its core. A worker runs one task at a time, so the
    /// process's CPU time is the task's.</remarks>
    public static int Spin(int milliseconds, int value)
    {
        var until = Environment.CpuUsage.TotalTime + TimeSpan.FromMilliseconds(milliseconds);
        while (Environment.CpuUsage.TotalTime < until)
        {
            Thread.SpinWait(50);
        }

        return value;
    }
}
