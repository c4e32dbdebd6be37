namespace FuncExec.Slurm.Scaling;

/// <summary>
/// The decisions of adaptive scaling, as pure functions: how many nodes the work wants, and which pilot jobs
/// to submit, cancel or drain to get there. <see cref="SlurmCluster"/> feeds them what the scheduler and the
/// resource manager say; a launcher for another manager would feed them the same.
/// </summary>
internal static class AdaptivePolicy
{
    /// <summary>
    /// The nodes the work wants: <c>clamp(ceil((busy cores + queued cores) / cores per node), minimum, maximum)</c>.
    /// </summary>
    /// <param name="busyCores">Cores of the cluster's nodes running tasks now.</param>
    /// <param name="queuedCores">Cores the queued tasks ask for.</param>
    /// <param name="coresPerNode">Cores a node brings; null when not known yet (whole hosts, none joined), when any work
    /// at all asks for one node, which tells.</param>
    /// <param name="minimum">Fewest nodes, whatever the work.</param>
    /// <param name="maximum">Most nodes, whatever the work.</param>
    public static int Target(long busyCores, long queuedCores, int? coresPerNode, int minimum, int maximum)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimum);
        ArgumentOutOfRangeException.ThrowIfLessThan(maximum, minimum);
        // Counts from a peer: a negative one is read as none, and the sum cannot overflow.
        var demand = Math.Min(Math.Max(0, busyCores), long.MaxValue / 2) + Math.Min(Math.Max(0, queuedCores), long.MaxValue / 2);
        long nodes = demand == 0 ? 0 : coresPerNode is int per && per > 0 ? (demand + per - 1) / per : 1;
        return (int)Math.Clamp(nodes, minimum, maximum);
    }

    /// <summary>The steps from <paramref name="pilots"/> (the jobs that count, in submission order) to <paramref name="target"/> nodes.</summary>
    /// <param name="target">The nodes wanted.</param>
    /// <param name="pilots">The jobs not told to stop, oldest first.</param>
    /// <param name="idlePeriod">
    /// For adaptation: only nodes idle at least this long are drained (longest idle first), after queued jobs are
    /// cancelled (newest first). Null for an explicit scale: queued jobs, then jobs whose node has not joined, are
    /// cancelled, then nodes drained, idle ones first (longest idle first), busy ones last (they finish their tasks).
    /// </param>
    public static ScalingPlan Plan(int target, IReadOnlyList<PilotView> pilots, TimeSpan? idlePeriod)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(target);
        ArgumentNullException.ThrowIfNull(pilots);
        if (target >= pilots.Count)
        {
            return new ScalingPlan(target - pilots.Count, [], []);
        }

        var excess = pilots.Count - target;
        // Queued jobs cost nothing to take back and hold no work: the newest first, as the least likely to start soon.
        var cancel = pilots.Where(p => p.Pending).Reverse().Take(excess).ToList();
        excess -= cancel.Count;
        if (idlePeriod is null && excess > 0)
        {
            // Running but not joined: no task there yet, and no node process to drain.
            var starting = pilots.Where(p => !p.Pending && !p.Joined).Reverse().Take(excess).ToList();
            cancel.AddRange(starting);
            excess -= starting.Count;
        }

        var drain = new List<PilotView>();
        if (excess > 0)
        {
            var joined = pilots.Where(p => p.Joined);
            var candidates = idlePeriod is { } period
                ? joined.Where(p => p.Idle >= period).OrderByDescending(p => p.Idle)
                : joined.OrderBy(p => p.Idle is null).ThenByDescending(p => p.Idle);
            drain.AddRange(candidates.Take(excess));
        }

        return new ScalingPlan(0, cancel, drain);
    }
}
