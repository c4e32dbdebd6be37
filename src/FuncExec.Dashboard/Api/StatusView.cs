namespace FuncExec.Dashboard.Api;

/// <summary><c>/api/status</c>: the cluster's shape and load.</summary>
internal sealed record StatusView(string Scheduler, long Now, long PulseIntervalMs, SummaryView Summary, IReadOnlyList<NodeView> Nodes);
