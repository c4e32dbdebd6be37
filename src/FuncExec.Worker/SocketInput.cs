using System.Net.Sockets;

namespace FuncExec.Worker;

/// <summary>
/// The buffered reading side of the worker's socket. Unlike a <see cref="BufferedStream"/>, it tells whether bytes
/// are waiting, here or in the socket, without blocking: the thread that reads while the worker is idle reads every
/// frame that has arrived before a task starts, and the one that watches the socket while the task runs reads only
/// when there is something to read.
/// </summary>
internal sealed class SocketInput : Stream
{
    private readonly Socket _socket;
    private readonly byte[] _buffer;
    private int _start;
    private int _end;

    public SocketInput(Socket socket, int bufferSize)
    {
        _socket = socket;
        _buffer = new byte[bufferSize];
    }

    /// <summary>True when bytes were read from the socket and not yet taken.</summary>
    public bool HasBuffered => _start < _end;

    /// <summary>True when a read would not block: bytes buffered here or waiting in the socket, or the socket's end
    /// (a closed or failed connection, which the read then reports).</summary>
    public bool HasPending => _start < _end || Readable();

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        if (_start == _end)
        {
            if (buffer.Length >= _buffer.Length)
            {
                // A large read goes straight to the caller's buffer.
                return Receive(buffer);
            }

            _start = 0;
            _end = Receive(_buffer);
            if (_end == 0)
            {
                return 0;
            }
        }

        var n = Math.Min(buffer.Length, _end - _start);
        _buffer.AsSpan(_start, n).CopyTo(buffer);
        _start += n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Reads what the socket has; a socket error is an <see cref="IOException"/>, as a <see cref="NetworkStream"/>
    /// gives it, so a lost node is met by one catch.</summary>
    private int Receive(Span<byte> target)
    {
        try
        {
            return _socket.Receive(target);
        }
        catch (SocketException ex)
        {
            throw new IOException(ex.Message, ex);
        }
    }

    private bool Readable()
    {
        try
        {
            return _socket.Poll(0, SelectMode.SelectRead);
        }
        catch (SocketException ex)
        {
            throw new IOException(ex.Message, ex);
        }
    }
}
