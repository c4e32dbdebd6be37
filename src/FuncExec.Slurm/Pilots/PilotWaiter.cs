using FuncExec.Client;
using FuncExec.Protocol.Connections;
using Microsoft.Extensions.Logging;

namespace FuncExec.Slurm.Pilots;

/// <summary>
/// Watches a pilot job and the scheduler together until the job's nodes have joined, the job ends,
/// or the time is up: the job's state from the resource manager, the joined nodes from the scheduler
/// (asked as <c>funcexec status</c> does, once the job runs).
/// </summary>
internal sealed class PilotWaiter(IPilotLauncher launcher, ILogger logger, TimeProvider timeProvider)
{
    /// <summary>How often the manager and the scheduler are asked again.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Waits for the nodes of job <paramref name="jobId"/> to join the scheduler at <paramref name="scheduler"/>.</summary>
    /// <exception cref="FuncExecException">The scheduler does not answer.</exception>
    /// <exception cref="PeerProtocolException">The scheduler refused us: secret, TLS or version.</exception>
    public async Task<PilotWaitResult> WaitAsync(
        string jobId, string scheduler, TransportSecurity security, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var start = timeProvider.GetTimestamp();
        RemoteCluster? cluster = null;
        try
        {
            PilotJob? last = null;
            while (true)
            {
                var jobs = await launcher.StatusAsync([jobId], cancellationToken).ConfigureAwait(false);
                var job = jobs.FirstOrDefault(j => j.Id == jobId);
                var elapsed = timeProvider.GetElapsedTime(start);
                if (job is null || job.HasEnded)
                {
                    return new PilotWaitResult(PilotWaitOutcome.Ended, job ?? last, [], elapsed);
                }

                last = job;
                IReadOnlyList<string> missing = job.Hosts;
                if (job.IsRunning && job.Hosts.Count > 0)
                {
                    cluster ??= await RemoteCluster.ConnectAsync(scheduler, new RemoteClusterOptions { Security = security, ReattachTime = TimeSpan.Zero }, cancellationToken).ConfigureAwait(false);
                    var status = await cluster.QueryStatusAsync(cancellationToken).ConfigureAwait(false);
                    var joined = status.Nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
                    missing = [.. job.Hosts.Where(host => !joined.Contains(job.NodeName(host)))];
                    if (missing.Count == 0)
                    {
                        return new PilotWaitResult(PilotWaitOutcome.Joined, job, [], elapsed);
                    }
                }

                if (elapsed >= timeout)
                {
                    return new PilotWaitResult(job.IsRunning ? PilotWaitOutcome.NotJoined : PilotWaitOutcome.Pending, job, missing, elapsed);
                }

                SlurmLog.Waiting(logger, jobId, job.State, job.Reason, string.Join(", ", missing), scheduler);
                await Task.Delay(PollInterval, timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (cluster is not null)
            {
                await cluster.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
