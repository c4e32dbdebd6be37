using FuncExec.Core.Text;

namespace FuncExec.Slurm.Pilots;

/// <summary>
/// Stops pilot jobs the way that keeps their work: a running job's nodes get SIGTERM and drain (they stop
/// taking tasks, hand back those not started, let running ones finish, and leave the scheduler); a job
/// still running after the grace period, or still queued, is cancelled outright.
/// </summary>
internal sealed class PilotStopper(IPilotLauncher launcher, TimeProvider timeProvider)
{
    /// <summary>Stops the pilot jobs named (all of this user's when none is), reporting each job in a line.</summary>
    /// <returns>False when a job named is not a pilot job of this user in the queue.</returns>
    public async Task<bool> StopAsync(IReadOnlyCollection<string> jobIds, TimeSpan grace, Action<string> report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        ArgumentNullException.ThrowIfNull(report);
        var jobs = await launcher.StatusAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var ok = true;
        if (jobIds.Count > 0)
        {
            foreach (var id in jobIds.Where(id => jobs.All(j => j.Id != id)))
            {
                report($"job {id}: not a pilot job of yours in the queue");
                ok = false;
            }

            jobs = [.. jobs.Where(j => jobIds.Contains(j.Id))];
        }
        else if (jobs.Count == 0)
        {
            report("no pilot jobs");
        }

        var draining = new List<PilotJob>();
        foreach (var job in jobs)
        {
            if (job.State == "COMPLETING")
            {
                report($"job {job.Id}: already ending (COMPLETING)");
            }
            else if (job.IsRunning)
            {
                await launcher.DrainAsync(job.Id, cancellationToken).ConfigureAwait(false);
                draining.Add(job);
            }
            else
            {
                await launcher.CancelAsync(job.Id, cancellationToken).ConfigureAwait(false);
                report($"job {job.Id}: cancelled ({job.State}{(job.Reason.Length > 0 ? ", " + job.Reason : "")})");
            }
        }

        var start = timeProvider.GetTimestamp();
        while (draining.Count > 0)
        {
            var now = await launcher.StatusAsync([.. draining.Select(j => j.Id)], cancellationToken).ConfigureAwait(false);
            foreach (var job in draining.ToList())
            {
                var seen = now.FirstOrDefault(j => j.Id == job.Id);
                // COMPLETING: Slurm still ends the job's processes; it is over only once they are gone.
                if (seen is null || (seen.HasEnded && seen.State != "COMPLETING"))
                {
                    var nodes = job.Hosts.Count == 1 ? "node" : Plural.Of(job.Hosts.Count, "node");
                    report($"job {job.Id}: its {nodes} drained and left; the job ended ({seen?.State ?? "gone"})");
                    draining.Remove(job);
                }
            }

            if (draining.Count == 0)
            {
                break;
            }

            if (timeProvider.GetElapsedTime(start) >= grace)
            {
                foreach (var job in draining)
                {
                    await launcher.CancelAsync(job.Id, cancellationToken).ConfigureAwait(false);
                    report($"job {job.Id}: still running {Durations.Format(grace)} after SIGTERM; cancelled");
                }

                break;
            }

            await Task.Delay(PilotWaiter.PollInterval, timeProvider, cancellationToken).ConfigureAwait(false);
        }

        return ok;
    }
}
