using FuncExec.Core.Tasks;
using FuncExec.Scheduler;

namespace FuncExec.Client.Internal;

/// <summary>
/// One run of tasks that come as a stream (a task file read one task at a time): at most a
/// window of them submitted and not yet finished, each report handed on as it comes and then
/// forgotten, so memory stays flat however long the stream is.
/// </summary>
internal sealed class StreamedRun : ITaskObserver
{
    private readonly Action<int, TaskReport> _onFinished;
    private readonly SemaphoreSlim _room;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _outstanding = 1; // The producer's own share, dropped when the stream ends.

    public StreamedRun(int window, Action<int, TaskReport> onFinished)
    {
        _room = new SemaphoreSlim(window, window);
        _onFinished = onFinished;
    }

    public Task Completion => _completion.Task;

    /// <summary>Waits for room for one more task; false when there is none at once.</summary>
    public bool TryTakeRoom() => _room.Wait(0);

    public Task TakeRoomAsync(CancellationToken cancellationToken) => _room.WaitAsync(cancellationToken);

    /// <summary>A task goes to the scheduler (or is refused): its report will come through <see cref="Complete"/>.</summary>
    public void Expect() => Interlocked.Increment(ref _outstanding);

    /// <summary>The stream ended: the run completes when the last report is in.</summary>
    public void EndOfStream() => Settle();

    public void OnFinished(IReadOnlyList<FinishedTask> finished)
    {
        foreach (var (task, report) in finished)
        {
            Complete((int)task.Tag!, report);
        }
    }

    public void Complete(int index, TaskReport report)
    {
        _onFinished(index, report);
        _room.Release();
        Settle();
    }

    /// <summary>The run cannot finish (the stream failed, the cluster went): whoever waits gets <paramref name="error"/>.</summary>
    public void Fail(Exception error) => _completion.TrySetException(error);

    private void Settle()
    {
        if (Interlocked.Decrement(ref _outstanding) == 0)
        {
            _completion.TrySetResult();
        }
    }
}
