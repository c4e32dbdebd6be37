using System.Diagnostics;

namespace FuncExec.Bench;

/// <summary>The functions the benchmark's tasks call.</summary>
public static class Jobs
{
    /// <summary>Returns its argument: the cost of a task is all overhead.</summary>
    public static int Noop(int x) => x;

    /// <summary>The wall clock in microseconds since the Unix epoch, read inside the task's own code: the moment it ran,
    /// as its client sees it on the same machine.</summary>
    public static long NowMicroseconds() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;

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

    /// <summary>Tells its client it started, then sleeps: a long task that is killed before it ends.</summary>
    public static async Task<int> SleepAfterHello(FuncExec.TaskContext context, int milliseconds)
    {
        await context.SendAsync("started");
        Thread.Sleep(milliseconds);
        return milliseconds;
    }

    /// <summary>Spins <paramref name="milliseconds"/> of CPU, but the first call for <paramref name="marker"/>
    /// kills its own worker process instead (the marker file says it happened).</summary>
    public static long SpinOrCrashOnce(int milliseconds, string marker)
    {
        if (marker.Length > 0 && !File.Exists(marker))
        {
            File.WriteAllText(marker, "crashed");
            Environment.Exit(3);
        }

        return Spin(milliseconds);
    }
}
