namespace FuncExec.Protocol.Requests;

/// <summary>A request sent, or about to be, waiting for its reply: see <see cref="RequestTracker"/>.</summary>
/// <typeparam name="TReply">The message that answers it.</typeparam>
internal sealed class PendingRequest<TReply> : RequestTracker.Entry, IDisposable
{
    private readonly RequestTracker _tracker;
    private CancellationTokenRegistration _cancellation;

    internal PendingRequest(RequestTracker tracker, long id)
    {
        _tracker = tracker;
        Id = id;
    }

    /// <summary>The id to send with the request; its reply echoes it.</summary>
    public long Id { get; }

    /// <summary>The reply, or the failure of the connection it would have come on.</summary>
    public Task<TReply> Reply => Completion.Task;

    internal TaskCompletionSource<TReply> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal override string ReplyName => typeof(TReply).Name;

    /// <summary>Waits for the reply; giving up (the token) forgets the request, so a late reply is dropped.</summary>
    public async Task<TReply> WaitAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await Reply.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Forgets the request: a reply that comes later is dropped, and whoever still waits is cancelled.</summary>
    public void Dispose()
    {
        _cancellation.Dispose();
        if (_tracker.Remove(Id, this))
        {
            Completion.TrySetCanceled();
        }
    }

    internal void WatchCancellation(CancellationToken cancellationToken) =>
        _cancellation = cancellationToken.UnsafeRegister(
            static (state, token) =>
            {
                var request = (PendingRequest<TReply>)state!;
                if (request._tracker.Remove(request.Id, request))
                {
                    request.Completion.TrySetCanceled(token);
                }
            },
            this);

    internal override bool Fail(Exception error) => Completion.TrySetException(error);
}
