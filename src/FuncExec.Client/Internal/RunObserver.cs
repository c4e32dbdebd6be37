using FuncExec.Core.Tasks;
using FuncExec.Scheduler;

namespace FuncExec.Client.Internal;

/// <summary>Gathers the reports of one run by position and completes when all are in.</summary>
internal sealed class RunObserver : ITaskObserver
{
    private readonly TaskReport?[] _reports;
    private readonly Action<int, TaskReport>? _onFinished;
    private readonly TaskCompletionSource<IReadOnlyList<TaskReport>> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _remaining;

    public RunObserver(int count, Action<int, TaskReport>? onFinished)
    {
        _reports = new TaskReport?[count];
        _onFinished = onFinished;
        _remaining = count;
        if (count == 0)
        {
            _completion.SetResult([]);
        }
    }

    public Task<IReadOnlyList<TaskReport>> Completion => _completion.Task;

    public void OnFinished(IReadOnlyList<FinishedTask> finished)
    {
        foreach (var (task, report) in finished)
        {
            Complete((int)task.Tag!, report);
        }
    }

    /// <summary>The run cannot finish (its scheduler is gone): whoever waits gets <paramref name="error"/>.</summary>
    public void Fail(Exception error) => _completion.TrySetException(error);

    public void Complete(int index, TaskReport report)
    {
        if (_reports[index] is not null)
        {
            return; // Delivered once: a report can only come twice through a bug upstream.
        }

        _reports[index] = report;
        _onFinished?.Invoke(index, report);
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _completion.TrySetResult(_reports!);
        }
    }
}
