namespace FuncExec.Scheduler.Resources;

/// <summary>
/// How many tasks a worker may hold at once (running plus prefetched).
/// </summary>
/// <remarks>
/// A worker should never wait for its next task, yet a task queued on one worker cannot run
/// on another that frees up first. So the depth covers about <see cref="BufferMicroseconds"/>
/// of work at the worker's recent task duration: hundreds of microsecond tasks, a single
/// long one. Tasks up to <see cref="LongTaskMicroseconds"/> get at least one prefetched
/// behind them, so the round trip to the scheduler never idles the core; longer ones get none,
/// where the round trip is noise and balance across workers matters more. Before any result
/// the depth is 1, the safe choice for long tasks.
/// </remarks>
internal static class PrefetchPolicy
{
    public const double BufferMicroseconds = 2000;
    public const double LongTaskMicroseconds = 5000;
    public const int MaxDepth = 512;

    public static int Depth(WorkerSlot slot)
    {
        var average = slot.AverageDurationUs;
        if (double.IsNaN(average))
        {
            return 1;
        }

        if (average > LongTaskMicroseconds)
        {
            return 1;
        }

        var depth = BufferMicroseconds / Math.Max(average, 1);
        return depth >= MaxDepth ? MaxDepth : Math.Max(2, (int)Math.Ceiling(depth));
    }
}
