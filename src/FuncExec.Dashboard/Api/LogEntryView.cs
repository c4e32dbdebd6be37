namespace FuncExec.Dashboard.Api;

/// <summary>A notable cluster event (nodes, workers, computations), newest first in the view.</summary>
/// <param name="Time">Unix milliseconds.</param>
internal sealed record LogEntryView(long Time, string Kind, string Text);
