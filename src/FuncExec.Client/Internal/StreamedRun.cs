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
    private int _unreported;
    private Dictionary<int, long>? _submittedAt; // Only while a duration is recorded: memory stays flat otherwise.

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

    /// <summary>Task <paramref name="index"/> goes to the scheduler (or is refused): its report will come through <see cref="Complete"/>.</summary>
    public void Expect(int index)
    {
        Interlocked.Increment(ref _outstanding);
        Interlocked.Increment(ref _unreported);
        var submittedAt = ClientMetrics.Submitted(1);
        if (ClientMetrics.TaskDuration.Enabled)
        {
            lock (_lock)
            {
                (_submittedAt ??= [])[index] = submittedAt;
            }
        }
    }

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
        long submittedAt = 0;
        if (_submittedAt is not null)
        {
            lock (_lock)
            {
                _submittedAt.Remove(index, out submittedAt);
            }
        }

        if (ClientMetrics.TakeOne(ref _unreported))
        {
            ClientMetrics.Reported(report.State, submittedAt);
        }

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

    /// <summary>The run cannot finish (the stream failed, the cluster went): whoever waits gets <paramref name="error"/>,
    /// and the reports still missing count as lost.</summary>
    public void Fail(Exception error)
    {
        ClientMetrics.Lost(Interlocked.Exchange(ref _unreported, 0));
        _completion.TrySetException(error);
    }

    private void Settle()
    {
        if (Interlocked.Decrement(ref _outstanding) == 0)
        {
            _completion.TrySetResult();
        }
    }
}
