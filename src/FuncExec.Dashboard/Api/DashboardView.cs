namespace FuncExec.Dashboard.Api;

/// <summary>Everything the page draws, pushed on <c>/api/events</c> and served by <c>/api/view</c>.</summary>
/// <param name="Scheduler">The scheduler's name.</param>
/// <param name="Now">The server's clock, Unix milliseconds (the page aligns its charts on it).</param>
/// <param name="PulseIntervalMs">The pulse interval: a node silent for more than two is stuck.</param>
/// <param name="Insecure">The scheduler runs with <c>--insecure</c>: the page shows a warning banner.</param>
internal sealed record DashboardView(
    string Scheduler,
    long Now,
    long PulseIntervalMs,
    SummaryView Summary,
    IReadOnlyList<NodeView> Nodes,
    TaskTableView Tasks,
    ThroughputView Throughput,
    TimelineView Timeline,
    IReadOnlyList<ComputationView> Computations,
    IReadOnlyList<ClientView> Clients,
    IReadOnlyList<LogEntryView> Log,
    bool Insecure);
