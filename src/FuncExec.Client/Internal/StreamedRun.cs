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
    private readonly Lock _lock = new();
    private int _room;
    private TaskCompletionSource? _waiting;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _outstanding = 1; // The producer's own share, dropped when the stream ends.

    public StreamedRun(int window, Action<int, TaskReport> onFinished)
    {
        _room = window;
        _onFinished = onFinished;
    }

    public Task Completion => _completion.Task;

    /// <summary>Takes room for one more task; false when there is none now.</summary>
    public bool TryTakeRoom()
    {
        lock (_lock)
        {
            if (_room == 0)
            {
                return false;
            }

            _room--;
            return true;
        }
    }

    /// <summary>Waits for room for one more task (one producer waits at a time).</summary>
    public Task TakeRoomAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_room > 0)
            {
                _room--;
                return Task.CompletedTask;
            }

            _waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _waiting.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>A task goes to the scheduler (or is refused): its report will come through <see cref="Complete"/>.</summary>
    public void Expect() => Interlocked.Increment(ref _outstanding);

    /// <summary>The stream ended: the run completes when the last report is in.</summary>
    public void EndOfStream() => Settle();

    public void OnFinished(IReadOnlyList<FinishedTask> finished)
    {
        foreach (var (tag, report) in finished)
        {
            Complete((int)tag, report);
        }
    }

    public void Complete(int index, TaskReport report)
    {
        _onFinished(index, report);
        TaskCompletionSource? waiting;
        lock (_lock)
        {
            // The room goes straight to the producer if it waits for it.
            waiting = _waiting;
            _waiting = null;
            if (waiting is null)
            {
                _room++;
            }
        }

        waiting?.TrySetResult();
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
