namespace FuncExec.Dashboard.Api;

/// <summary>The task table: running tasks, a sample of the queue, the latest finished (newest first).</summary>
/// <param name="QueuedTotal">Every task not started, of which <see cref="Queued"/> shows the first.</param>
internal sealed record TaskTableView(IReadOnlyList<TaskView> Running, IReadOnlyList<TaskView> Queued, int QueuedTotal, IReadOnlyList<TaskView> Finished);
