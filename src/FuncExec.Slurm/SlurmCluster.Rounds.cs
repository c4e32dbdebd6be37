using FuncExec.Core.Text;
using FuncExec.Protocol.V1;
using FuncExec.Slurm.Pilots;
using FuncExec.Slurm.Scaling;

namespace FuncExec;

/// <summary>One scaling round: what Slurm and the scheduler say, the decision, the jobs submitted, cancelled or drained.</summary>
public sealed partial class SlurmCluster
{
    // Past this the manager's view of a job is not a reason to keep it: the scheduler may be gone, the node stuck.
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxHold = TimeSpan.FromMinutes(5);

    private static Func<Weights, int> AdaptTarget(int minimum, int maximum) =>
        weights => AdaptivePolicy.Target(weights.BusyCores, weights.QueuedCores, weights.CoresPerNode, minimum, maximum);

    private async Task RoundAsync(Func<Weights, int> policy, TimeSpan? idlePeriod, string why, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var weights = await ObserveAsync(cancellationToken).ConfigureAwait(false);
            var active = _jobs.Values.Where(j => j.StoppedAt is null).OrderBy(j => j.SubmittedAt).ToList();
            var target = policy(weights);
            var views = active.Select(j => new PilotView(j.Id, j.Job?.IsPending ?? true, j.Joined, weights.Idle.GetValueOrDefault(j.Id), j.Node)).ToList();
            var plan = AdaptivePolicy.Plan(target, views, idlePeriod);
            if (plan.IsEmpty)
            {
                _lastTarget = target;
                return;
            }

            if (plan.Submit > 0 && idlePeriod is not null && _time.GetTimestamp() < _holdSubmitsUntil)
            {
                // Jobs ended before their node joined (said when they did): more of the same would too, so adaptation
                // waits a while before submitting again.
                plan = plan with { Submit = 0 };
                if (plan.IsEmpty)
                {
                    return;
                }
            }

            var work = $"{weights.QueuedCores} cores queued, {weights.BusyCores} busy, "
                + (weights.CoresPerNode is { } per ? $"{per} a node" : "cores a node not known yet");
            var done = new List<string>();
            var submitted = new List<string>();
            try
            {
                for (var i = 0; i < plan.Submit; i++)
                {
                    var id = await _launcher.SubmitAsync(_request, cancellationToken).ConfigureAwait(false);
                    _jobs[id] = new OwnedPilot(id, _time.GetTimestamp());
                    submitted.Add(id);
                }
            }
            finally
            {
                if (submitted.Count > 0)
                {
                    done.Add($"submitted job{(submitted.Count == 1 ? "" : "s")} {string.Join(", ", submitted)}");
                }
            }

            foreach (var pilot in plan.Cancel)
            {
                await _launcher.CancelAsync(pilot.JobId, cancellationToken).ConfigureAwait(false);
                var owned = _jobs[pilot.JobId];
                owned.StoppedAt = _time.GetTimestamp();
                owned.Cancelled = true;
                done.Add(pilot.Pending
                    ? $"cancelled queued job {pilot.JobId}{(owned.Job is { Reason.Length: > 0 } job ? $" ({job.Reason})" : "")}"
                    : $"cancelled job {pilot.JobId}, whose node had not joined");
            }

            foreach (var pilot in plan.Drain)
            {
                await _launcher.DrainAsync(pilot.JobId, cancellationToken).ConfigureAwait(false);
                _jobs[pilot.JobId].StoppedAt = _time.GetTimestamp();
                done.Add(pilot.Idle is { } idle ? $"draining idle node {pilot.Node} (idle {Durations.Format(idle)}, job {pilot.JobId})" : $"draining busy node {pilot.Node} (job {pilot.JobId})");
            }

            var direction = target > active.Count ? "up" : "down";
            var reached = active.Count + submitted.Count - plan.Cancel.Count - plan.Drain.Count;
            Note($"scale {direction} from {active.Count} to {target} node{(target == 1 ? "" : "s")}, {why}: {work}; {string.Join("; ", done)}"
                + (reached != target ? $" (now {reached})" : ""), target);
            _lastTarget = target;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Reads the jobs from Slurm and the nodes from the scheduler, forgets jobs that are over, and weighs the work. Under the gate.</summary>
    private async Task<Weights> ObserveAsync(CancellationToken cancellationToken)
    {
        var jobs = await _launcher.StatusAsync([.. _jobs.Keys], cancellationToken).ConfigureAwait(false);
        var status = await _scheduler.QueryStatusAsync(cancellationToken).ConfigureAwait(false);
        var nodes = new Dictionary<string, NodeStatus>(StringComparer.Ordinal);
        foreach (var node in status.Nodes)
        {
            if (node.Connected)
            {
                nodes.TryAdd(node.Name, node);
            }
        }

        var idle = new Dictionary<string, TimeSpan?>(StringComparer.Ordinal);
        long busy = 0;
        int? cores = _options.CpusPerNode;
        foreach (var owned in _jobs.Values.OrderBy(j => j.SubmittedAt).ToList())
        {
            var job = jobs.FirstOrDefault(j => j.Id == owned.Id);
            owned.Job = job ?? owned.Job;
            // COMPLETING: Slurm still ends its processes; its node may still be draining in the scheduler.
            if (job is null || (job.HasEnded && job.State != "COMPLETING"))
            {
                _jobs.Remove(owned.Id);
                if (!owned.EverJoined && owned.StoppedAt is null)
                {
                    EndedEarly(owned, job);
                }

                continue;
            }

            owned.Node = job.Hosts.Count > 0 ? job.NodeName(job.Hosts[0]) : null;
            owned.Joined = owned.Node is not null && nodes.ContainsKey(owned.Node);
            if (owned.Joined && !owned.EverJoined)
            {
                owned.EverJoined = true;
                _failuresInARow = 0;
            }

            if (owned.StoppedAt is { } stoppedAt && !owned.Cancelled && _time.GetElapsedTime(stoppedAt) > _options.DrainMargin + StopGrace)
            {
                // Told to drain long ago and still there: it is ended outright, as funcexec slurm down does.
                await _launcher.CancelAsync(owned.Id, cancellationToken).ConfigureAwait(false);
                owned.Cancelled = true;
                Note($"job {owned.Id} still running {Durations.Format(_options.DrainMargin + StopGrace)} after being told to drain; cancelled", _lastTarget);
            }

            if (job.IsPending && job.Reason.Length > 0 && job.Reason != owned.ReportedReason && _time.GetElapsedTime(owned.SubmittedAt) >= _options.Interval)
            {
                owned.ReportedReason = job.Reason;
                Note($"job {owned.Id} is pending: {job.Reason} (squeue's reason)", _lastTarget);
            }

            if (!owned.Joined || owned.StoppedAt is not null)
            {
                continue;
            }

            var node = nodes[owned.Node!];
            // From the scheduler, a peer: counts bounded, a negative idle time read as none.
            busy += node.Workers.Count(w => w.State is "busy" or "held");
            idle[owned.Id] = node.Idle ? TimeSpan.FromMilliseconds(Math.Clamp(node.IdleMs, 0, (long)TimeSpan.FromDays(365).TotalMilliseconds)) : null;
            if (_options.CpusPerNode is null && node.Workers.Count > 0)
            {
                cores = Math.Max(cores ?? 0, node.Workers.Count);
            }
        }

        return new Weights(busy, Math.Max(0, status.QueuedCores), cores, idle);
    }

    private void EndedEarly(OwnedPilot owned, PilotJob? job)
    {
        var how = job is null ? "ended" : $"ended ({job.State}{(job.Reason.Length > 0 ? ", " + job.Reason : "")})";
        var error = new PilotJobException(owned.Id, $"job {owned.Id} {how} before its node joined the scheduler at {Scheduler}; "
            + $"its log: {PilotNaming.JobLog(_request.LogDirectory, owned.Id)}");
        _failures.Add((_time.GetTimestamp(), error));
        if (_failures.Count > 20)
        {
            _failures.RemoveAt(0);
        }

        _failuresInARow++;
        var hold = TimeSpan.FromTicks(Math.Min(MaxHold.Ticks, _options.Interval.Ticks << Math.Min(_failuresInARow, 20)));
        _holdSubmitsUntil = _time.GetTimestamp() + (long)(hold.TotalSeconds * _time.TimestampFrequency);
        Note($"{error.Message}; adaptation submits again in {Durations.Format(hold)} at the earliest", _lastTarget);
    }

    private IReadOnlyList<SlurmPilotJob> Snapshot() =>
        [.. _jobs.Values.OrderBy(j => j.SubmittedAt).Select(j => new SlurmPilotJob(
            j.Id,
            j.Job?.State ?? "PENDING",
            j.Job?.Reason ?? "",
            j.Job is { Hosts.Count: > 0 } job ? job.Hosts[0] : null,
            j.Node,
            j.Joined,
            j.StoppedAt is not null,
            PilotNaming.JobLog(_request.LogDirectory, j.Id)))];

    /// <summary>Tells the scheduler (status, dashboard, its log) and this cluster's log.</summary>
    private void Note(string text, int target)
    {
        var shown = SlurmOutput.Printable(text);
        if (shown.Length > 1000)
        {
            shown = shown[..996] + " ...";
        }

        SlurmClusterLog.Decided(_logger, target, shown);
        _scheduler.NoteScaling(shown, Math.Max(0, target));
    }

    /// <summary>What a round weighs: cores busy on this cluster's nodes, cores the queue asks for, cores a node brings, and each running job's idle time.</summary>
    private sealed record Weights(long BusyCores, long QueuedCores, int? CoresPerNode, IReadOnlyDictionary<string, TimeSpan?> Idle);
}
