using System.Diagnostics;

namespace FuncExec.Bench;

/// <summary>The functions the benchmark's tasks call.</summary>
public static class Jobs
{
    /// <summary>Returns its argument: the cost of a task is all overhead.</summary>
    public static int Noop(int x) => x;

    /// <summary>Keeps its core busy for <paramref name="milliseconds"/> and returns how many loops it ran.</summary>
    public static long Spin(int milliseconds)
    {
        var until = Stopwatch.GetTimestamp() + (milliseconds * Stopwatch.Frequency / 1000);
        long loops = 0;
        while (Stopwatch.GetTimestamp() < until)
        {
            loops++;
        }

        return loops;
    }
}
