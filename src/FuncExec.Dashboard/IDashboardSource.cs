using FuncExec.Protocol.V1;
using FuncExec.Scheduler;

namespace FuncExec.Dashboard;

/// <summary>What the dashboard shows and acts on: the scheduler, and what only its host knows
/// (nodes' addresses and pulses, connected clients, the cluster secret).</summary>
/// <remarks>Every member is called from request threads and must be thread-safe.</remarks>
internal interface IDashboardSource
{
    /// <summary>The scheduling logic: snapshots, the event stream, kill and cancel.</summary>
    ClusterScheduler Scheduler { get; }

    /// <summary>The scheduler's name, shown as the page title.</summary>
    string SchedulerName { get; }

    /// <summary>The pulse interval: a node whose last pulse is older than two of them is shown as stuck.</summary>
    TimeSpan PulseInterval { get; }

    /// <summary>The cluster's shared secret, which kill and cancel require; null or empty when the
    /// cluster has none (then actions are allowed from loopback only).</summary>
    string? Secret { get; }

    /// <summary>True when the scheduler runs with <c>--insecure</c> (no secret): the page shows a warning banner.</summary>
    /// <remarks>Default: false.</remarks>
    bool Insecure => false;

    /// <summary>Nodes with their addresses, pulse ages and workers (core, state, task, CPU use).</summary>
    StatusReply Status();

    /// <summary>The clients connected now.</summary>
    IReadOnlyList<DashboardClient> Clients();
}
