namespace FuncExec.Reporting.Internal;

/// <summary>The worker timeline's bars.</summary>
/// <param name="Bars">The bars, by worker row then time.</param>
/// <param name="Tasks">Task bars before merging (a task holding k cores has k).</param>
/// <param name="MergeGapUs">0 when every task has its own bar; otherwise the resolution in microseconds the bars
/// were merged to: neighbours less than this apart, into bars at most this long.</param>
internal sealed record GanttChart(IReadOnlyList<GanttBar> Bars, int Tasks, long MergeGapUs);
