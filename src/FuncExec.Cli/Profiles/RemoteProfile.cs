using FuncExec.Client;
using FuncExec.Reporting;

namespace FuncExec.Cli.Profiles;

/// <summary>
/// <c>funcexec run --scheduler ... --profile</c>: records the profile from the client's side — the
/// scheduler's event stream, and its status polled every sample interval (busy workers, workers,
/// queue length), with completed tasks counted from the events.
/// </summary>
internal sealed class RemoteProfile : IAsyncDisposable
{
    private readonly ProfileRecorder _recorder;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _events;
    private readonly Task _polling;
    private ProfileSample _last = new(0, 0, 0, 0);
    private long _completed;

    private RemoteProfile(RemoteCluster cluster, string path)
    {
        _recorder = new ProfileRecorder(path, () => Volatile.Read(ref _last) with { Completed = Interlocked.Read(ref _completed) });
        _events = ListenAsync(cluster);
        _polling = PollAsync(cluster);
    }

    public static RemoteProfile Start(RemoteCluster cluster, string path) => new(cluster, path);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_events, _polling).ConfigureAwait(false);
        await _recorder.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task ListenAsync(RemoteCluster cluster)
    {
        try
        {
            await foreach (var e in cluster.StatusAsync(_stop.Token).ConfigureAwait(false))
            {
                if (e.Kind == ClusterEventKind.TaskFinished)
                {
                    Interlocked.Increment(ref _completed);
                }

                _recorder.OnEvents([e]);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The run is over.
        }
    }

    private async Task PollAsync(RemoteCluster cluster)
    {
        using var timer = new PeriodicTimer(ProfileRecorder.DefaultInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                var status = await cluster.QueryStatusAsync(_stop.Token).ConfigureAwait(false);
                var workers = status.Nodes.SelectMany(n => n.Workers).ToList();
                Volatile.Write(ref _last, new ProfileSample(
                    workers.Count(w => w.State is "busy" or "held"), workers.Count(w => w.State is not ("starting" or "draining")), status.Queued, 0));
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The run is over.
        }
    }
}
