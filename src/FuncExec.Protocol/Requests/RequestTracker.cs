using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FuncExec.Protocol.Requests;

/// <summary>
/// Matches the replies on one connection to the requests that asked for them, by request id: each request
/// gets a fresh id and a pending reply; the reply that carries that id completes it, whatever order replies
/// come in.
/// </summary>
/// <remarks>
/// <para>The protocol's rule, which this type enforces: every message that expects one answer carries a
/// request id (<c>request</c>, or <c>sequence</c> for a task message) and the answer echoes it. An answer whose
/// id nobody waits for (its caller gave up, or it was never asked) is dropped; an answer of the wrong kind for
/// its id breaks the protocol and is logged and dropped, leaving the request waiting for the right one.</para>
/// <para>Bounded: at most <see cref="MaxOutstanding"/> requests wait at once, so a caller that never reads its
/// replies cannot grow the client without end. A request given up (cancelled, timed out, disposed) leaves the
/// tracker at once. When the connection is lost, <see cref="FailAll"/> fails every request that waits.</para>
/// </remarks>
internal sealed partial class RequestTracker
{
    /// <summary>The default bound on requests waiting at once.</summary>
    public const int DefaultMaxOutstanding = 10_000;

    private readonly ConcurrentDictionary<long, Entry> _pending = new();
    private readonly ILogger _logger;
    private long _lastId;
    private int _count;

    /// <summary>Creates a tracker.</summary>
    /// <param name="maxOutstanding">The most requests that may wait at once.</param>
    /// <param name="logger">Where protocol violations are logged; none when null.</param>
    public RequestTracker(int maxOutstanding = DefaultMaxOutstanding, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxOutstanding);
        MaxOutstanding = maxOutstanding;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The most requests that may wait at once.</summary>
    public int MaxOutstanding { get; }

    /// <summary>Requests waiting now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Starts a request: a fresh id to send with it, and the reply to wait for.</summary>
    /// <typeparam name="TReply">The message that answers it.</typeparam>
    /// <param name="cancellationToken">Gives the request up: its reply is cancelled and the id forgotten.</param>
    /// <returns>The pending request; dispose it once done with it, so that its id is forgotten even when no reply came.</returns>
    /// <exception cref="RequestLimitExceededException"><see cref="MaxOutstanding"/> requests wait already.</exception>
    public PendingRequest<TReply> NewRequest<TReply>(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Increment(ref _count) > MaxOutstanding)
        {
            Interlocked.Decrement(ref _count);
            throw new RequestLimitExceededException(MaxOutstanding);
        }

        var id = Interlocked.Increment(ref _lastId);
        var request = new PendingRequest<TReply>(this, id);
        _pending[id] = request;
        if (cancellationToken.CanBeCanceled)
        {
            request.WatchCancellation(cancellationToken);
        }

        return request;
    }

    /// <summary>Completes the request <paramref name="id"/> with its reply.</summary>
    /// <returns>True when a request waited for it; false for an id nobody waits for, or a reply of the wrong kind.</returns>
    public bool TryComplete<TReply>(long id, TReply reply)
    {
        if (!_pending.TryGetValue(id, out var entry))
        {
            LogUnknownReply(_logger, typeof(TReply).Name, id);
            return false;
        }

        if (entry is not PendingRequest<TReply> request)
        {
            // Left waiting: the right reply may still come.
            LogWrongReply(_logger, typeof(TReply).Name, id, entry.ReplyName);
            return false;
        }

        if (!Remove(id, request))
        {
            return false;
        }

        return request.Completion.TrySetResult(reply);
    }

    /// <summary>Fails the request <paramref name="id"/>, if one waits under it.</summary>
    public bool TryFail(long id, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return _pending.TryGetValue(id, out var entry) && Remove(id, entry) && entry.Fail(error);
    }

    /// <summary>Fails every request that waits, as when the connection their replies would come on is lost.</summary>
    public void FailAll(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        foreach (var (id, entry) in _pending)
        {
            if (Remove(id, entry))
            {
                entry.Fail(error);
            }
        }
    }

    /// <summary>Forgets a request; true when this call removed it.</summary>
    internal bool Remove(long id, Entry entry)
    {
        if (!_pending.TryRemove(new KeyValuePair<long, Entry>(id, entry)))
        {
            return false;
        }

        Interlocked.Decrement(ref _count);
        return true;
    }

    /// <summary>A pending request of any reply type.</summary>
    public abstract class Entry
    {
        private protected Entry()
        {
        }

        internal abstract string ReplyName { get; }

        internal abstract bool Fail(Exception error);
    }

    [LoggerMessage(EventId = 160, Level = LogLevel.Debug, Message = "A {Reply} came for request {Id}, which nobody waits for (given up, or never asked); dropped")]
    private static partial void LogUnknownReply(ILogger logger, string reply, long id);

    [LoggerMessage(EventId = 161, Level = LogLevel.Warning, Message = "Protocol violation: a {Reply} came for request {Id}, which waits for a {Expected}; dropped")]
    private static partial void LogWrongReply(ILogger logger, string reply, long id, string expected);
}
