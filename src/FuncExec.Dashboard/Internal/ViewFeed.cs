using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace FuncExec.Dashboard.Internal;

/// <summary>
/// The live view every open page receives: built and serialized once per push interval while at
/// least one page listens, then written as the same bytes to every listener. The cost is one view
/// per interval whatever the task rate and however many pages are open; a slow page skips views
/// instead of queueing them.
/// </summary>
internal sealed class ViewFeed : IAsyncDisposable
{
    private readonly ViewBuilder _views;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private TaskCompletionSource<Payload> _next = NewSource();
    private Payload? _latest;
    private int _listeners;
    private Task? _loop;

    public ViewFeed(ViewBuilder views, TimeSpan interval, TimeProvider time, ILogger logger)
    {
        _views = views;
        _interval = interval;
        _time = time;
        _logger = logger;
    }

    public void Start() => _loop = RunAsync();

    /// <summary>Counts a page in until the returned handle is disposed; views are built only while one listens.</summary>
    public IDisposable Listen()
    {
        Interlocked.Increment(ref _listeners);
        return new Listener(this);
    }

    /// <summary>The next view after <paramref name="version"/>: the latest at once when newer, else the next one built.</summary>
    public ValueTask<Payload> NextAsync(long version, CancellationToken cancellationToken)
    {
        Task<Payload> next;
        lock (_lock)
        {
            if (_latest is { } latest && latest.Version > version)
            {
                return ValueTask.FromResult(latest);
            }

            next = _next.Task;
        }

        return new ValueTask<Payload>(next.WaitAsync(cancellationToken));
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        lock (_lock)
        {
            _next.TrySetCanceled();
        }

        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(_interval, _time);
        long version = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                if (Volatile.Read(ref _listeners) == 0)
                {
                    continue;
                }

                byte[] json;
                try
                {
                    json = JsonSerializer.SerializeToUtf8Bytes(_views.Full(), DashboardJson.Default.DashboardView);
                }
                catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
                {
                    // A snapshot raced a node's removal; the next tick builds a consistent one.
                    DashboardLog.ViewFailed(_logger, ex.Message);
                    continue;
                }

                var payload = new Payload(++version, json);
                TaskCompletionSource<Payload> built;
                lock (_lock)
                {
                    _latest = payload;
                    built = _next;
                    _next = NewSource();
                }

                built.TrySetResult(payload);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private static TaskCompletionSource<Payload> NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A serialized view and its sequence number.</summary>
    internal sealed record Payload(long Version, byte[] Json);

    private sealed class Listener(ViewFeed feed) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref feed._listeners);
            }
        }
    }
}
