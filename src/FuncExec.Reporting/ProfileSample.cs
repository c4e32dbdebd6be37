namespace FuncExec.Reporting;

/// <summary>The cluster's state at one moment, as a <see cref="ProfileRecorder"/> samples it.</summary>
/// <param name="BusyWorkers">Workers running a task now (a task holding k cores counts k).</param>
/// <param name="Workers">Workers in the cluster now.</param>
/// <param name="Queued">Tasks waiting for a worker.</param>
/// <param name="Completed">Tasks finished so far, whatever their final state.</param>
internal sealed record ProfileSample(int BusyWorkers, int Workers, int Queued, long Completed);
