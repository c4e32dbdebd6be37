namespace FuncExec.Scheduler.Resources;

/// <summary>
/// Whether a worker may take one more task while it still holds others (running plus prefetched).
/// </summary>
/// <remarks>
/// A worker should never wait for its next task, yet a task queued behind others on one worker
/// cannot run on another that frees up first. So a worker holds at most about
/// <see cref="BufferMicroseconds"/> of estimated work, judged by how long the same function took
/// recently (<see cref="DurationEstimates"/>): hundreds of tiny tasks, a few medium ones. A task
/// whose function is new or runs longer than <see cref="LongTaskMicroseconds"/> ("long") is
/// prefetched one deep, so the core goes straight on to it, and is taken back (revoked) if
/// another worker goes idle first; no short task waits behind a long one.
/// </remarks>
internal static class PrefetchPolicy
{
    public const double BufferMicroseconds = 2000;
    public const double LongTaskMicroseconds = 5000;
    public const int MaxDepth = 512;

    public static bool IsShort(double estimateUs) => !double.IsNaN(estimateUs) && estimateUs <= LongTaskMicroseconds;

    /// <summary>Room left on <paramref name="slot"/> for a task estimated at <paramref name="estimateUs"/>
    /// (NaN when unknown); positive when it may take it, larger when it is emptier.</summary>
    public static double Room(WorkerSlot slot, double estimateUs)
    {
        if (slot.InFlight == 0)
        {
            return double.MaxValue;
        }

        if (!IsShort(estimateUs))
        {
            return slot.InFlight == 1 ? 1 : 0;
        }

        if (slot.LongInFlight > 0 || slot.InFlight >= MaxDepth)
        {
            return 0;
        }

        return BufferMicroseconds - slot.ShortWorkUs - Math.Max(estimateUs, 1);
    }
}
