namespace FuncExec.Dashboard.Api;

/// <summary>The busy timeline: one lane per core of each node (<c>node/core</c>), with its busy spans.</summary>
internal sealed record TimelineView(IReadOnlyList<string> Lanes, IReadOnlyList<SpanView> Spans);
