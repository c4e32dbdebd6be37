using FuncExec.Core.Tasks;

namespace FuncExec.Reporting.Internal;

/// <summary>One bar of the worker timeline: a task, or (when a large profile is thinned) adjacent tasks of one
/// worker merged into one bar, colored by the worst status among them.</summary>
/// <param name="Row">The worker's index in the report's worker list.</param>
/// <param name="StartUs">Start, Unix microseconds.</param>
/// <param name="EndUs">End, Unix microseconds.</param>
/// <param name="Status">The task's status; for a merged bar the worst of its tasks'.</param>
/// <param name="FirstId">The task's id; for a merged bar its first task's.</param>
/// <param name="LastId">The task's id; for a merged bar its last task's.</param>
/// <param name="Count">Tasks in the bar.</param>
/// <param name="Name">The task's name; null for a merged bar.</param>
/// <param name="Failed">Tasks in the bar that did not succeed.</param>
internal readonly record struct GanttBar(int Row, long StartUs, long EndUs, TaskState Status, long FirstId, long LastId, int Count, string? Name, int Failed);
