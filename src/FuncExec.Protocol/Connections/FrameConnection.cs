using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using FuncExec.Protocol.Diagnostics;
using FuncExec.Protocol.Framing;
using FuncExec.Protocol.V1;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace FuncExec.Protocol.Connections;

/// <summary>
/// One connection after the handshake: frames of <see cref="ClusterEnvelope"/> both ways over a
/// stream, each a 4-byte little-endian payload length and the protobuf payload (see
/// <see cref="FrameCodec"/>).
/// </summary>
/// <remarks>
/// <para>
/// Two loops run over the stream. The read loop parses frames from a pipe over the stream and
/// hands each to the frame handler, one at a time, in order. The write loop drains the one
/// outbound channel: everything queued when it wakes is serialized into one pooled buffer and
/// written with a single flush, so a burst of small frames costs one write.
/// </para>
/// <para>
/// Every way of ending (the peer closing, a reset, an oversized or malformed frame, the handler
/// throwing, a local close) goes through one close path that records the first reason, logs it
/// once, and stops both loops; <see cref="Completion"/> then yields that reason. Nothing is thrown
/// into callers' threads. Once <see cref="Completion"/> has completed, the stream is disposed and
/// the handler is not called again.
/// </para>
/// <para>
/// The stream must allow one reader and one writer at once and honour cancellation of reads and
/// writes, as <see cref="NetworkStream"/>, <see cref="System.Net.Security.SslStream"/> and
/// <see cref="DuplexPipeStream"/> do. The connection owns it and disposes it.
/// </para>
/// </remarks>
internal sealed partial class FrameConnection : IAsyncDisposable
{
    // A long burst is written in chunks of this size rather than buffered whole; the flush still
    // comes once, at the end of the burst.
    private const int WriteChunkSize = 256 * 1024;

    // How long the reply to an oversized frame may take to be written before the connection is cut anyway.
    private static readonly TimeSpan OversizedReplyGrace = TimeSpan.FromSeconds(2);

    private readonly Stream _stream;
    private readonly ILogger _logger;
    private readonly int _maxFrameSize;
    // Synchronous continuations: a Post that finds the write loop idle runs the loop's next turn
    // on the posting thread, so a lone frame goes to the socket without a thread-pool hop. The
    // loop only awaits the stream, which yields (never blocks) under backpressure, so a poster
    // holding a lock is delayed by one serialization and one socket write at most.
    private readonly Channel<ClusterEnvelope> _outbound = Channel.CreateUnbounded<ClusterEnvelope>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = true });

    // Frames that wait for the next one posted (PostWithNext), and how many wait: past MaxWithNext one goes at once.
    private readonly System.Collections.Concurrent.ConcurrentQueue<ClusterEnvelope> _withNext = new();
    private int _withNextCount;

    // Never disposed: a late Cancel from a caller's token must not throw. Its one timer (the grace of the
    // reply to an oversized frame) ends when it fires.
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource<CloseReason> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Set in the read loop, so that a close from inside the frame handler does not wait for the
    // handler to return (it would wait for itself).
    private readonly AsyncLocal<bool> _inReadLoop = new();
    private readonly bool _dedicatedReader;
    private readonly InboundMemoryBudget? _budget;
    private CloseReason? _closeReason;
    private int _started;

    /// <summary>Wraps a stream whose handshake is done.</summary>
    /// <param name="stream">The connection; owned, and disposed on close.</param>
    /// <param name="remoteName">The other side, for logs (<c>node 'n1'</c>, <c>scheduler at host:port</c>).</param>
    /// <param name="logger">Where the close is logged, once.</param>
    /// <param name="maxFrameSize">The cap on an inbound frame's payload; a bigger one closes the connection.</param>
    /// <param name="dedicatedReader">Read on a thread of its own with blocking reads, so each inbound
    /// frame wakes one thread instead of an I/O thread and then a pool thread; for the few
    /// connections of a node or a client, where latency counts more than a thread.</param>
    /// <param name="budget">Charged for the bytes of partial inbound frames as they arrive (see
    /// <see cref="InboundMemoryBudget"/>): when it is full the connection stops reading, and a frame
    /// slower than its deadline closes it (<see cref="CloseReasonKind.SlowFrame"/>). None when null:
    /// frames up to <paramref name="maxFrameSize"/> are buffered as they come. Not with
    /// <paramref name="dedicatedReader"/>.</param>
    public FrameConnection(
        Stream stream,
        string remoteName,
        ILogger logger,
        int maxFrameSize = FrameCodec.DefaultMaxFrameSize,
        bool dedicatedReader = false,
        InboundMemoryBudget? budget = null)
    {
        _dedicatedReader = dedicatedReader;
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(remoteName);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFrameSize);
        if (dedicatedReader && budget is not null)
        {
            throw new ArgumentException("a dedicated reader's blocking reads cannot wait for a memory budget", nameof(budget));
        }

        _budget = budget;
        _stream = stream;
        RemoteName = remoteName;
        _logger = logger;
        _maxFrameSize = maxFrameSize;
    }

    /// <summary>The other side, as given to the constructor.</summary>
    public string RemoteName { get; }

    /// <summary>When set, a close by the peer or a failure is logged only when this limiter admits
    /// <see cref="CloseLogKey"/>, with a count of those left out: a flood of short connections from one
    /// address writes a bounded log. A local close (debug) is not limited.</summary>
    public LogRateLimiter? CloseLog { get; init; }

    /// <summary>The key <see cref="CloseLog"/> counts this connection's close under (its peer's address, say).</summary>
    public string CloseLogKey { get; init; } = string.Empty;

    /// <summary>The peer's role, the tag its frames and bytes are counted under (<see cref="ConnectionMetrics"/>);
    /// the scheduler unless set, as for the connections nodes and clients dial.</summary>
    public MeteredPeer PeerRole { get; init; } = MeteredPeer.Scheduler;

    /// <summary>When set, a frame over the cap is answered with the envelope this makes from its size and the cap
    /// before the connection closes, so that the peer can say why it was dropped rather than see a reset. The reply
    /// gets 2 s to be written.</summary>
    public Func<long, int, ClusterEnvelope>? OversizedFrameReply { get; init; }

    /// <summary>Completes, never faulted, once the connection is closed and its stream disposed, with the first reason it closed.</summary>
    public Task<CloseReason> Completion => _completion.Task;

    /// <summary>True once the connection is closing or closed: <see cref="Post"/> refuses frames.</summary>
    public bool IsClosed => Volatile.Read(ref _closeReason) is not null;

    /// <summary>Starts the read and write loops; frames posted before are sent now.</summary>
    /// <param name="onFrame">
    /// Called for each inbound frame, one at a time, in order, on a pool thread; the next frame is
    /// read after the returned task completes. If it throws, the connection closes
    /// (<see cref="CloseReasonKind.HandlerFailed"/>).
    /// </param>
    /// <exception cref="InvalidOperationException">The connection was already started or closed.</exception>
    public void Start(Func<ClusterEnvelope, ValueTask> onFrame)
    {
        ArgumentNullException.ThrowIfNull(onFrame);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException($"the connection to {RemoteName} was already started or closed");
        }

        _ = RunAsync(onFrame);
    }

    /// <summary>Queues a frame to send, without waiting.</summary>
    /// <returns>
    /// True if it was queued; false once the connection is closing. Queued frames go out in the
    /// order they were posted, but a frame is only as delivered as TCP makes it: a connection that
    /// breaks loses what it had not yet written.
    /// </returns>
    /// <remarks>The envelope is serialized later, on the write loop: do not change it after posting.</remarks>
    public bool Post(ClusterEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return _outbound.Writer.TryWrite(envelope);
    }

    /// <summary>Queues a frame that need not go at once: it is written after the next frame posted with <see cref="Post"/>,
    /// in the same write, so that it costs the peer no read of its own.</summary>
    /// <returns>True if it was queued; false once the connection is closing.</returns>
    /// <remarks>For news whose delay harms nothing and whose order against other frames does not matter (an
    /// acknowledgement): the caller bounds the delay by posting now and then (a pulse). At most
    /// <see cref="MaxWithNext"/> frames wait: the one past them is sent at once, with them.</remarks>
    public bool PostWithNext(ClusterEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (IsClosed)
        {
            return false;
        }

        if (Interlocked.Increment(ref _withNextCount) > MaxWithNext)
        {
            Interlocked.Decrement(ref _withNextCount);
            return Post(envelope);
        }

        _withNext.Enqueue(envelope);
        return true;
    }

    /// <summary>How many frames <see cref="PostWithNext"/> lets wait for the next post.</summary>
    internal const int MaxWithNext = 64;

    /// <summary>
    /// Closes the connection with <paramref name="reason"/> (unless it already closed for another
    /// reason), after writing the frames already posted; completes when it is closed.
    /// </summary>
    /// <param name="reason">Recorded as a <see cref="CloseReasonKind.LocalClose"/>.</param>
    /// <param name="cancellationToken">Abandons the frames not yet written and closes at once.</param>
    /// <remarks>
    /// Called from inside the frame handler, it returns without waiting, since the close waits for
    /// the handler to return; no frame is handed to the handler after that one.
    /// </remarks>
    public ValueTask CloseAsync(string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return CloseCoreAsync(new CloseReason(CloseReasonKind.LocalClose, reason), abort: false, cancellationToken);
    }

    /// <summary>Closes the connection at once, dropping frames not yet written; completes when it is closed.</summary>
    public ValueTask DisposeAsync() =>
        CloseCoreAsync(new CloseReason(CloseReasonKind.LocalClose, "disposed"), abort: true, CancellationToken.None);

    private async ValueTask CloseCoreAsync(CloseReason reason, bool abort, CancellationToken cancellationToken)
    {
        RequestClose(reason, exception: null, abort);
        if (abort)
        {
            // Also cuts short a graceful close already draining.
            _abort.Cancel();
        }

        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            // Never started: no loop will finish the close, so finish it here.
            await FinishAsync().ConfigureAwait(false);
            return;
        }

        if (_inReadLoop.Value)
        {
            return;
        }

        using (cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _abort))
        {
            await _completion.Task.ConfigureAwait(false);
        }
    }

    private async Task RunAsync(Func<ClusterEnvelope, ValueTask> onFrame)
    {
        try
        {
            // On pool threads, so that neither loop (nor the handler) runs inside Start.
            var reading = _dedicatedReader ? StartBlockingReader(onFrame) : Task.Run(() => ReadLoopAsync(onFrame));
            var writing = Task.Run(WriteLoopAsync);

            // The write loop ends only when the connection is closing: after draining the queue on a
            // graceful close, at once otherwise. Then the read loop is stopped too.
            await writing.ConfigureAwait(false);
            RequestClose(new CloseReason(CloseReasonKind.LocalClose, "the write loop ended"), exception: null, abort: true);
            _abort.Cancel();
            if (_dedicatedReader)
            {
                // A blocking read does not see the token: closing the stream is what ends it.
                await _stream.DisposeAsync().ConfigureAwait(false);
            }

            await reading.ConfigureAwait(false);
        }
        finally
        {
            await FinishAsync().ConfigureAwait(false);
        }
    }

    private async Task ReadLoopAsync(Func<ClusterEnvelope, ValueTask> onFrame)
    {
        _inReadLoop.Value = true;
        var token = _abort.Token;
        // Under a budget, each read adds at most one segment before the budget is charged for it.
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: _budget is null ? 4096 : 16 * 1024, leaveOpen: true));
        using var account = _budget is null ? null : new InboundFrameAccount(_budget, token);
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(account?.Token ?? token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var handled = false;
                long pending;
                long frameLength;
                var frames = 0;
                var available = buffer.Length;
                try
                {
                    while (!IsClosed && FrameReader.TryReadFrame(ref buffer, ClusterEnvelope.Parser, _maxFrameSize, out var envelope))
                    {
                        handled = true;
                        frames++;
                        try
                        {
                            await onFrame(envelope!).ConfigureAwait(false);
                        }
                        catch (Exception ex) when (ex is not OutOfMemoryException)
                        {
                            RequestClose(new CloseReason(CloseReasonKind.HandlerFailed, $"the frame handler threw {ex.GetType().Name}: {ex.Message}"), ex);
                            return;
                        }
                    }

                    if (IsClosed)
                    {
                        return;
                    }

                    if (result.IsCompleted)
                    {
                        RequestClose(
                            buffer.IsEmpty
                                ? new CloseReason(CloseReasonKind.PeerClosed, "the peer closed the connection")
                                : new CloseReason(CloseReasonKind.PeerClosed, $"the peer closed the connection inside a frame ({buffer.Length} bytes of it arrived)"),
                            exception: null);
                        return;
                    }

                    pending = buffer.Length;
                    frameLength = FrameReader.PeekLength(buffer);
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    if (frames > 0)
                    {
                        // Once per read, not per frame: a burst of small frames costs two atomic adds.
                        ConnectionMetrics.Received(PeerRole, frames, available - buffer.Length);
                    }
                }

                if (account is not null)
                {
                    if (frameLength - InboundMemoryBudget.ConnectionAllowance > _budget!.Capacity)
                    {
                        throw new FrameTooLargeException(frameLength, (int)Math.Min(int.MaxValue, _budget.Capacity + InboundMemoryBudget.ConnectionAllowance));
                    }

                    // Backpressure: nothing more is read from this peer until its bytes fit in the budget.
                    await account.ChargeAsync(pending, frameLength, handled).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (account?.DeadlinePassed == true)
        {
            RequestClose(
                new CloseReason(
                    CloseReasonKind.SlowFrame,
                    $"the peer did not finish a frame of {account.LateFrameLength} bytes within {account.LateFrameDeadline.TotalSeconds:0} s (frames must arrive at {_budget!.MinBytesPerSecond / 1024} KiB/s or more, with {_budget.FrameGrace.TotalSeconds:0} s of grace)"),
                exception: null);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Closing: the reason is already recorded.
        }
        catch (FrameTooLargeException ex)
        {
            var reason = new CloseReason(CloseReasonKind.OversizedFrame, $"the peer announced a frame of {ex.Length} bytes, over the cap of {ex.MaxFrameSize} bytes");
            if (OversizedFrameReply is { } reply && Post(reply(ex.Length, ex.MaxFrameSize)))
            {
                // Nothing more is read; the reply is written before the close, within its grace.
                RequestClose(reason, ex, abort: false);
                _abort.CancelAfter(OversizedReplyGrace);
            }
            else
            {
                RequestClose(reason, ex);
            }
        }
        catch (InvalidProtocolBufferException ex)
        {
            RequestClose(new CloseReason(CloseReasonKind.MalformedFrame, $"the peer sent a frame that is not a ClusterEnvelope: {ex.Message}"), ex);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RequestClose(ClassifyTransportError(ex, "reading"), ex);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private Task StartBlockingReader(Func<ClusterEnvelope, ValueTask> onFrame)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                ReadLoopBlocking(onFrame);
            }
            finally
            {
                done.TrySetResult();
            }
        })
        {
            IsBackground = true,
            Name = "funcexec-connection-reader",
        };
        thread.Start();
        return done.Task;
    }

    private void ReadLoopBlocking(Func<ClusterEnvelope, ValueTask> onFrame)
    {
        _inReadLoop.Value = true;
        var buffer = new byte[64 * 1024];
        // Not disposed: disposing it would dispose the connection's stream, which the close path owns.
        var input = new BufferedStream(_stream, 64 * 1024);
        try
        {
            while (!IsClosed)
            {
                if (FrameCodec.Read(input, ClusterEnvelope.Parser, ref buffer, out var frameSize, _maxFrameSize) is not { } envelope)
                {
                    RequestClose(new CloseReason(CloseReasonKind.PeerClosed, "the peer closed the connection"), exception: null);
                    return;
                }

                ConnectionMetrics.Received(PeerRole, 1, frameSize);

                try
                {
                    var handled = onFrame(envelope);
                    if (!handled.IsCompletedSuccessfully)
                    {
                        handled.AsTask().GetAwaiter().GetResult();
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    RequestClose(new CloseReason(CloseReasonKind.HandlerFailed, $"the frame handler threw {ex.GetType().Name}: {ex.Message}"), ex);
                    return;
                }
            }
        }
        catch (FrameTooLargeException ex)
        {
            RequestClose(new CloseReason(CloseReasonKind.OversizedFrame, $"the peer announced a frame of {ex.Length} bytes, over the cap of {ex.MaxFrameSize} bytes"), ex);
        }
        catch (InvalidProtocolBufferException ex)
        {
            RequestClose(new CloseReason(CloseReasonKind.MalformedFrame, $"the peer sent a frame that is not a ClusterEnvelope: {ex.Message}"), ex);
        }
        catch (Exception ex) when (IsClosed && ex is IOException or ObjectDisposedException)
        {
            // Closing: the stream was disposed under the read; the reason is already recorded.
        }
        catch (EndOfStreamException ex)
        {
            RequestClose(new CloseReason(CloseReasonKind.PeerClosed, $"the peer closed the connection inside a frame: {ex.Message}"), ex);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RequestClose(ClassifyTransportError(ex, "reading"), ex);
        }
    }

    private async Task WriteLoopAsync()
    {
        var queue = _outbound.Reader;
        var token = _abort.Token;
        using var buffer = new PooledBufferWriter();
        try
        {
            while (await queue.WaitToReadAsync(token).ConfigureAwait(false))
            {
                var frames = 0;
                long bytes = 0;
                while (queue.TryRead(out var envelope) || TakeWithNext(out envelope))
                {
                    FrameCodec.Write(buffer, envelope);
                    frames++;
                    if (buffer.WrittenCount >= WriteChunkSize)
                    {
                        await _stream.WriteAsync(buffer.WrittenMemory, token).ConfigureAwait(false);
                        bytes += buffer.WrittenCount;
                        buffer.Reset();
                    }
                }

                if (buffer.WrittenCount > 0)
                {
                    await _stream.WriteAsync(buffer.WrittenMemory, token).ConfigureAwait(false);
                    bytes += buffer.WrittenCount;
                    buffer.Reset();
                }

                ConnectionMetrics.Sent(PeerRole, frames, bytes);

                await _stream.FlushAsync(token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Closing: the reason is already recorded; what was not written is dropped.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RequestClose(ClassifyTransportError(ex, "writing"), ex);
        }
    }

    // The frames waiting for a post go after the posted ones, in the same write.
    private bool TakeWithNext(out ClusterEnvelope envelope)
    {
        if (_withNext.TryDequeue(out envelope!))
        {
            Interlocked.Decrement(ref _withNextCount);
            return true;
        }

        return false;
    }

    private void LogClose(CloseReason reason, Exception? exception)
    {
        if (reason.Kind == CloseReasonKind.LocalClose)
        {
            LogClosedLocally(_logger, RemoteName, reason.Message);
            return;
        }

        // Closes by the peer and failures are counted apart, so a flood of one kind does not hide the first of the other.
        var admission = CloseLog?.Admit(reason.Kind == CloseReasonKind.PeerClosed ? $"{CloseLogKey} closed" : $"{CloseLogKey} failed")
            ?? new LogAdmission(true, 0, TimeSpan.Zero);
        if (!admission.Write)
        {
            return;
        }

        var seconds = (int)Math.Round(admission.Since.TotalSeconds);
        var peerClosed = reason.Kind == CloseReasonKind.PeerClosed;
        if (admission.Suppressed == 0)
        {
            if (peerClosed)
            {
                LogClosedByPeer(_logger, RemoteName, reason.Message);
            }
            else
            {
                LogFailed(_logger, exception, RemoteName, reason.Kind, reason.Message);
            }
        }
        else if (peerClosed)
        {
            LogClosedByPeerRepeatedly(_logger, RemoteName, reason.Message, admission.Suppressed, CloseLogKey, seconds);
        }
        else
        {
            LogFailedRepeatedly(_logger, exception, RemoteName, reason.Kind, reason.Message, admission.Suppressed, CloseLogKey, seconds);
        }
    }

    /// <summary>The one close path: records the first reason, logs it once, and stops the loops.</summary>
    /// <param name="reason">Why.</param>
    /// <param name="exception">What was caught, for the log.</param>
    /// <param name="abort">False to let the write loop drain the queue first (a local, graceful close).</param>
    private void RequestClose(CloseReason reason, Exception? exception, bool abort = true)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is not null)
        {
            return;
        }

        ConnectionMetrics.FrameRejected(reason.Kind);
        LogClose(reason, exception);

        _outbound.Writer.TryComplete();
        if (abort)
        {
            _abort.Cancel();
        }
    }

    private async Task FinishAsync()
    {
        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // The connection is already broken; closing it cannot fail in any way that matters.
        }

        _completion.TrySetResult(Volatile.Read(ref _closeReason) ?? new CloseReason(CloseReasonKind.LocalClose, "closed"));
    }

    private static CloseReason ClassifyTransportError(Exception ex, string during)
    {
        var socketError = (ex as SocketException ?? ex.InnerException as SocketException)?.SocketErrorCode;
        var message = socketError switch
        {
            SocketError.ConnectionReset or SocketError.NetworkReset => $"the peer reset the connection while {during}",
            SocketError.ConnectionAborted or SocketError.OperationAborted => $"the connection was aborted while {during}",
            SocketError.Shutdown => $"the connection was shut down while {during}",
            SocketError.TimedOut => $"the connection timed out while {during}",
            _ when ex is ObjectDisposedException => $"the stream was disposed while {during}",
            _ => $"I/O error while {during}: {ex.Message}",
        };
        return new CloseReason(CloseReasonKind.Reset, message);
    }
}
