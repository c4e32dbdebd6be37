using System.Diagnostics.Metrics;
using FuncExec.Core.Telemetry;
using FuncExec.Scheduler.Resources;

namespace FuncExec.Scheduler;

/// <summary>The gauges of <see cref="FuncExecMetrics"/>: answered under the lock, from the same state and the same
/// rule as <see cref="Snapshot"/>, which the dashboard reads, so the two never disagree.</summary>
internal sealed partial class ClusterScheduler : ISchedulerGauges
{
    /// <summary>The name the queue length of tasks outside any opened computation is reported under.</summary>
    internal const string ImplicitComputation = "(implicit)";

    /// <inheritdoc />
    public void ObserveQueue(List<Measurement<int>> into)
    {
        // Computations share names (every submitter's implicit one has none): one measurement per name.
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        lock (_lock)
        {
            foreach (var computation in _computations.Values)
            {
                var name = computation.Id == 0 ? ImplicitComputation : computation.Name;
                byName[name] = byName.GetValueOrDefault(name) + computation.Queue.Count + computation.Pinned.Count;
            }
        }

        foreach (var (name, queued) in byName)
        {
            into.Add(new Measurement<int>(queued, new KeyValuePair<string, object?>(FuncExecMetrics.ComputationKey, name)));
        }
    }

    /// <inheritdoc />
    public void ObserveWorkers(List<Measurement<int>> into, bool busy)
    {
        var byNode = new Dictionary<string, int>(StringComparer.Ordinal);
        lock (_lock)
        {
            foreach (var node in _nodes)
            {
                var count = 0;
                foreach (var slot in node.Slots)
                {
                    var state = SlotState(slot);
                    if (busy ? IsBusy(slot, state) : state is "idle")
                    {
                        count++;
                    }
                }

                byNode[node.Channel.NodeName] = byNode.GetValueOrDefault(node.Channel.NodeName) + count;
            }
        }

        foreach (var (name, count) in byNode)
        {
            into.Add(new Measurement<int>(count, new KeyValuePair<string, object?>(FuncExecMetrics.NodeKey, name)));
        }
    }

    /// <summary>A slot's state as snapshots and gauges show it: <c>draining</c> (its node is stopping),
    /// <c>starting</c>, <c>held</c>, <c>idle</c> or <c>busy</c>.</summary>
    private static string SlotState(WorkerSlot slot) =>
        slot.Node.Draining ? "draining"
        : !slot.Ready ? "starting" : slot.HeldBy != 0 ? "held" : slot.Line.First is null ? "idle" : "busy";

    /// <summary>Whether a slot in <paramref name="state"/> is working: busy, held, or draining with a task still on it.</summary>
    private static bool IsBusy(WorkerSlot slot, string state) =>
        state is "busy" or "held" || (state is "draining" && (slot.Line.First is not null || slot.HeldBy != 0));
}
