using FuncExec.Protocol.V1;

namespace FuncExec.Scheduler.Tests;

internal sealed class RecordingObserver : ITaskObserver
{
    public List<FinishedTask> Finished { get; } = [];

    public List<TaskMessage> Messages { get; } = [];

    public List<TaskProgress> Progress { get; } = [];

    public void OnFinished(IReadOnlyList<FinishedTask> finished) => Finished.AddRange(finished);

    public void OnMessage(TaskMessage message) => Messages.Add(message);

    public void OnProgress(TaskProgress progress) => Progress.Add(progress);
}
