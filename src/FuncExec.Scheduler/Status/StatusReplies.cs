using FuncExec.Protocol.V1;

namespace FuncExec.Scheduler.Status;

/// <summary>What the host of a scheduler knows of a node that the scheduler does not: where it is, when it
/// was last heard from, and how busy its cores are.</summary>
/// <param name="Address">The node's address as its host sees it.</param>
/// <param name="SinceLastPulse">Time since the node was last heard from.</param>
/// <param name="Connected">Whether its connection is open now.</param>
/// <param name="CoreUsage">Busy percent by core, from the node's last report.</param>
internal sealed record NodeLiveness(string Address, TimeSpan SinceLastPulse, bool Connected, IReadOnlyDictionary<int, float> CoreUsage);

/// <summary>Builds the cluster status answered to clients and shown by the dashboard.</summary>
internal static class StatusReplies
{
    /// <summary>The status of <paramref name="scheduler"/>: its live nodes, each with what <paramref name="liveness"/> knows
    /// (a node it does not know is left out), their workers, and the running tasks.</summary>
    public static StatusReply Build(ClusterScheduler scheduler, string schedulerName, Func<int, NodeLiveness?> liveness)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(liveness);
        var snapshot = scheduler.Snapshot();
        var reply = new StatusReply
        {
            SchedulerName = schedulerName,
            Queued = snapshot.Queued,
            QueuedCores = snapshot.QueuedCores,
            RefusedNodeReports = scheduler.RefusedFromNodes,
            RefusedClientRequests = scheduler.RefusedFromClients,
        };
        foreach (var node in snapshot.Nodes)
        {
            if (node.Removed || liveness(node.Index) is not { } live)
            {
                continue; // Lost nodes leave the list; a node that rejoins appears afresh.
            }

            var status = new NodeStatus
            {
                Name = node.Name,
                Address = live.Address,
                LastPulseAgeMs = (long)live.SinceLastPulse.TotalMilliseconds,
                Connected = live.Connected,
                Index = node.Index,
                Idle = node.Idle is not null,
                IdleMs = node.Idle is { } idle ? (long)idle.TotalMilliseconds : 0,
            };
            foreach (var worker in node.Workers)
            {
                status.Workers.Add(new WorkerStatus
                {
                    WorkerId = worker.WorkerId,
                    Core = worker.Core,
                    State = worker.State,
                    InFlight = worker.InFlight,
                    CurrentTask = worker.CurrentTaskId,
                    CurrentTaskName = worker.CurrentTaskName ?? string.Empty,
                    CpuPercent = live.CoreUsage.TryGetValue(worker.Core, out var cpu) ? cpu : -1,
                });
            }

            reply.Nodes.Add(status);
        }

        foreach (var note in scheduler.ScalingNotes())
        {
            reply.Scaling.Add(new ScalingNoteStatus
            {
                TimeUnixUs = FuncExec.UnixTime.ToMicroseconds(note.Time),
                Client = note.Client,
                Text = note.Text,
                TargetNodes = note.TargetNodes,
            });
        }

        foreach (var running in snapshot.Running)
        {
            var task = new RunningTaskStatus { Id = running.Id, Name = running.Name, Worker = running.Worker, Attempt = running.Attempt };
            task.Cores.AddRange(running.Cores);
            reply.Running.Add(task);
        }

        return reply;
    }
}
