using FuncExec.Core.Tasks;
using FuncExec.Scheduler;

namespace FuncExec.Client.Internal;

/// <summary>Gathers the reports of one run by position and completes when all are in.</summary>
internal sealed class RunObserver : ITaskObserver
{
    private readonly TaskReport?[] _reports;
    private readonly Action<int, TaskReport>? _onFinished;
    private readonly TaskCompletionSource<IReadOnlyList<TaskReport>> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _submittedAt;
    private int _remaining;
    private int _unreported;

    public RunObserver(int count, Action<int, TaskReport>? onFinished)
    {
        _reports = new TaskReport?[count];
        _onFinished = onFinished;
        _remaining = count;
        _unreported = count;
        _submittedAt = ClientMetrics.Submitted(count);
        if (count == 0)
        {
            _completion.SetResult([]);
        }
    }

    public Task<IReadOnlyList<TaskReport>> Completion => _completion.Task;

    public void OnFinished(IReadOnlyList<FinishedTask> finished)
    {
        // By index: a foreach over the interface would box its enumerator for every report.
        for (var i = 0; i < finished.Count; i++)
        {
            var (tag, report) = finished[i];
            Complete((int)tag, report);
        }
    }

    /// <summary>The run cannot finish (its scheduler is gone): whoever waits gets <paramref name="error"/>.</summary>
    public void Fail(Exception error)
    {
        Abandon();
        _completion.TrySetException(error);
    }

    /// <summary>Nobody waits for the reports still missing: they count as lost (those that come anyway, not again).</summary>
    public void Abandon() => ClientMetrics.Lost(Interlocked.Exchange(ref _unreported, 0));

    /// <summary>Whether task <paramref name="index"/> still waits for its report.</summary>
    public bool IsPending(int index) => (uint)index < (uint)_reports.Length && Volatile.Read(ref _reports[index]) is null;

    /// <summary>The tasks that still wait for their report, by position.</summary>
    public IEnumerable<int> Pending
    {
        get
        {
            for (var i = 0; i < _reports.Length; i++)
            {
                if (Volatile.Read(ref _reports[i]) is null)
                {
                    yield return i;
                }
            }
        }
    }

    /// <summary>Records task <paramref name="index"/>'s report, once.</summary>
    /// <returns>False when it had its report already (or is not of this run): this one is dropped. A scheduler
    /// posts a report again after a reconnect when its acknowledgement was lost; the user sees it once.</returns>
    public bool Complete(int index, TaskReport report)
    {
        if ((uint)index >= (uint)_reports.Length || Interlocked.CompareExchange(ref _reports[index], report, null) is not null)
        {
            return false;
        }

        if (ClientMetrics.TakeOne(ref _unreported))
        {
            ClientMetrics.Reported(report.State, _submittedAt);
        }

        _onFinished?.Invoke(index, report);
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _completion.TrySetResult(_reports!);
        }

        return true;
    }
}
