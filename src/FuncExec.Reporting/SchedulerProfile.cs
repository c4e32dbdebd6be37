using FuncExec.Scheduler;

namespace FuncExec.Reporting;

/// <summary>A profile of a scheduler's run being recorded (<c>--profile run.csv</c>): every task's
/// lifecycle from the event stream, and a sample of busy workers, workers, queue length and
/// completed tasks every interval.</summary>
internal sealed class SchedulerProfile : IAsyncDisposable
{
    private readonly ProfileRecorder _recorder;
    private readonly IDisposable _subscription;

    private SchedulerProfile(ProfileRecorder recorder, IDisposable subscription)
    {
        _recorder = recorder;
        _subscription = subscription;
    }

    /// <summary>Starts recording <paramref name="scheduler"/> to <paramref name="path"/> (replaced if it exists).</summary>
    /// <exception cref="IOException">The file cannot be created.</exception>
    public static SchedulerProfile Start(ClusterScheduler scheduler, string path, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        var recorder = new ProfileRecorder(path, () => Sample(scheduler), interval);
        return new SchedulerProfile(recorder, scheduler.Subscribe(recorder.OnEvents));
    }

    /// <summary>The file being written.</summary>
    public string Path => _recorder.Path;

    /// <summary>Stops listening, takes a last sample and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        _subscription.Dispose();
        await _recorder.DisposeAsync().ConfigureAwait(false);
    }

    private static ProfileSample Sample(ClusterScheduler scheduler)
    {
        var snapshot = scheduler.Snapshot();
        var workers = snapshot.Nodes.Where(n => !n.Removed).Sum(n => n.Workers.Count(w => w.State is not ("starting" or "draining")));
        return new ProfileSample(snapshot.BusyWorkers, workers, snapshot.Queued, snapshot.Completed);
    }
}
