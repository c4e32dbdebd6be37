namespace FuncExec.Cli.Bench;

/// <summary>One run of one cell: its wall time, or why it failed (a task failed or returned the wrong value).</summary>
internal sealed record CellRun(TimeSpan Elapsed, string? Error = null);
