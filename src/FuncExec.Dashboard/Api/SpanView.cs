namespace FuncExec.Dashboard.Api;

/// <summary>A stretch of time a core was busy (Unix milliseconds).</summary>
/// <param name="Lane">Index into <see cref="TimelineView.Lanes"/>.</param>
/// <param name="Task">The first task of the span.</param>
/// <param name="Count">Tasks in the span: back-to-back tiny tasks are merged into one span.</param>
/// <param name="State">The last task's state, or <c>running</c> for a span still open.</param>
internal sealed record SpanView(int Lane, long Start, long End, long Task, string Name, int Count, string State);
