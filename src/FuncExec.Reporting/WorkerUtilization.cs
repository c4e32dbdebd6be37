namespace FuncExec.Reporting;

/// <summary>How busy one worker was over a profile's span.</summary>
/// <param name="Worker">The worker's name, <c>node/worker-N</c>.</param>
/// <param name="Core">The core it is pinned to, when the profile tells.</param>
/// <param name="Tasks">Tasks it ran (a task holding several cores counts on the worker that ran it).</param>
/// <param name="Busy">Time it held a task within the span: a task holding k cores keeps the k workers of those
/// cores busy.</param>
/// <param name="Utilization"><paramref name="Busy"/> divided by the profile's span, 0 to 1.</param>
/// <param name="Deaths">Times its process died (crash, kill, timeout) and was replaced.</param>
internal sealed record WorkerUtilization(string Worker, int? Core, int Tasks, TimeSpan Busy, double Utilization, int Deaths);
