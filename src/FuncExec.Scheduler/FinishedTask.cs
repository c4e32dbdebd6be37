namespace FuncExec.Scheduler;

/// <summary>A task's report for its submitter, with the tag the submitter gave the task (<c>SubmittedTaskSpec.tag</c>).</summary>
internal readonly record struct FinishedTask(long Tag, TaskReport Report);
