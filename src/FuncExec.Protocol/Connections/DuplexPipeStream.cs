using System.Buffers;
using System.IO.Pipelines;

namespace FuncExec.Protocol.Connections;

/// <summary>
/// A bidirectional <see cref="Stream"/> over an <see cref="IDuplexPipe"/>, such as Kestrel's
/// <c>ConnectionContext.Transport</c>: reads come from <see cref="IDuplexPipe.Input"/>, and every
/// write is written and flushed to <see cref="IDuplexPipe.Output"/>.
/// </summary>
/// <remarks>
/// It lets TLS, the handshake and <see cref="FrameConnection"/> run over a <see cref="Stream"/> on
/// both sides of a connection. One reader and one writer may use it at the same time. Reads and
/// writes honour their cancellation token. Disposing it completes both pipes (which closes a
/// Kestrel connection) unless it was created with <c>leaveOpen</c>. A write after the other side
/// stopped reading throws <see cref="IOException"/>.
/// </remarks>
internal sealed class DuplexPipeStream : Stream
{
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly bool _leaveOpen;
    private int _disposed;

    /// <summary>Wraps <paramref name="pipe"/>.</summary>
    /// <param name="pipe">The transport.</param>
    /// <param name="leaveOpen">True to leave both pipes uncompleted when the stream is disposed.</param>
    public DuplexPipeStream(IDuplexPipe pipe, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        _input = pipe.Input;
        _output = pipe.Output;
        _leaveOpen = leaveOpen;
    }

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => true;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var readable = result.Buffer;
            var consumed = readable.Start;
            try
            {
                if (result.IsCanceled)
                {
                    throw new OperationCanceledException("the read was cancelled");
                }

                if (!readable.IsEmpty)
                {
                    // A zero-byte read (SslStream uses them to wait for data before renting a
                    // buffer) returns here once data is there, consuming nothing.
                    var count = (int)Math.Min(readable.Length, buffer.Length);
                    readable.Slice(0, count).CopyTo(buffer.Span);
                    consumed = readable.GetPosition(count);
                    return count;
                }

                if (result.IsCompleted)
                {
                    return 0;
                }
            }
            finally
            {
                _input.AdvanceTo(consumed);
            }
        }
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    /// <remarks>Blocks on the asynchronous read; prefer <see cref="ReadAsync(Memory{byte}, CancellationToken)"/>.</remarks>
    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var result = await _output.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        ThrowIfStopped(result);
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    /// <remarks>Blocks on the asynchronous write; prefer <see cref="WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>.</remarks>
    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var result = await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
        ThrowIfStopped(result);
    }

    /// <inheritdoc />
    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && !_leaveOpen)
        {
            await _input.CompleteAsync().ConfigureAwait(false);
            await _output.CompleteAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0 && !_leaveOpen)
        {
            _input.Complete();
            _output.Complete();
        }

        base.Dispose(disposing);
    }

    private static void ThrowIfStopped(FlushResult result)
    {
        if (result.IsCanceled)
        {
            throw new OperationCanceledException("the write was cancelled");
        }

        // The reader of our output is gone (for Kestrel: the peer disconnected); what we wrote was dropped.
        if (result.IsCompleted)
        {
            throw new IOException("the connection is closed: the other side stopped reading");
        }
    }
}
