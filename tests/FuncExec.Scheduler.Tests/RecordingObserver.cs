namespace FuncExec.Scheduler.Tests;

internal sealed class RecordingObserver : ITaskObserver
{
    public List<FinishedTask> Finished { get; } = [];

    public void OnFinished(IReadOnlyList<FinishedTask> finished) => Finished.AddRange(finished);
}
