namespace FuncExec.Dashboard.Api;

/// <summary><c>/api/history</c>: throughput and the busy timeline.</summary>
internal sealed record HistoryView(long Now, ThroughputView Throughput, TimelineView Timeline);
