using FuncExec.Dashboard;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler;

namespace FuncExec.Server;

/// <summary>The scheduler server as the dashboard sees it.</summary>
internal sealed class SchedulerDashboardSource(SchedulerServer server) : IDashboardSource
{
    public ClusterScheduler Scheduler => server.Scheduler;

    public string SchedulerName => server.Options.Name;

    public TimeSpan PulseInterval => server.Options.PulseInterval;

    public string? Secret => server.Security.Secret;

    public bool Insecure => server.Options.Insecure;

    // The dashboard shows no journal figures: counting them reads the journal's database, on every view it builds.
    public StatusReply Status() => server.BuildStatus(journal: false);

    public IReadOnlyList<DashboardClient> Clients() => server.ConnectedClients();
}
