using System.Diagnostics;
using FuncExec.Dashboard;
using FuncExec.Node.Metrics;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler;
using FuncExec.Scheduler.Status;

namespace FuncExec.Client.Internal;

/// <summary>The embedded cluster as the dashboard sees it: one node in this process, always heard from,
/// and this program as the one client.</summary>
internal sealed class LocalDashboardSource(ClusterScheduler scheduler, int nodeIndex) : IDashboardSource
{
    // The dashboard asks twice a second at most; /proc/stat is read no more often than that.
    private static readonly TimeSpan CpuSampleInterval = TimeSpan.FromMilliseconds(500);

    private readonly CoreUsageSampler _cpu = new();
    private readonly Lock _cpuLock = new();
    private readonly DashboardClient _self = new(
        Path.GetFileNameWithoutExtension(Environment.ProcessPath) ?? "this program",
        $"in process {Environment.ProcessId}",
        DateTimeOffset.UtcNow);

    private IReadOnlyDictionary<int, float> _usage = new Dictionary<int, float>();
    private long _sampledAt = Stopwatch.GetTimestamp();

    public ClusterScheduler Scheduler => scheduler;

    public string SchedulerName => $"{Environment.MachineName} (embedded)";

    public TimeSpan PulseInterval => TimeSpan.FromSeconds(1);

    // Actions are allowed from loopback only, and the dashboard of an embedded cluster listens there unless told otherwise.
    public string? Secret => null;

    public StatusReply Status()
    {
        var status = StatusReplies.Build(
            scheduler,
            SchedulerName,
            index => index == nodeIndex ? new NodeLiveness("in process", TimeSpan.Zero, Connected: true, CoreUsage()) : null);
        status.Clients = Clients().Count;
        return status;
    }

    public IReadOnlyList<DashboardClient> Clients() => [_self];

    private IReadOnlyDictionary<int, float> CoreUsage()
    {
        lock (_cpuLock)
        {
            if (Stopwatch.GetElapsedTime(_sampledAt) >= CpuSampleInterval)
            {
                _usage = _cpu.Sample();
                _sampledAt = Stopwatch.GetTimestamp();
            }

            return _usage;
        }
    }
}
