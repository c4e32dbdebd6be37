using System.Buffers;

namespace FuncExec.Protocol.Connections;

/// <summary>An <see cref="IBufferWriter{T}"/> over arrays rented from <see cref="ArrayPool{T}.Shared"/>, reused across batches.</summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    // After a burst of large frames the buffer goes back to the pool instead of pinning
    // megabytes to an idle connection.
    private const int RetainedSize = 1024 * 1024;

    private readonly int _initialSize;
    private byte[] _buffer;
    private int _written;

    public PooledBufferWriter(int initialSize = 16 * 1024)
    {
        _initialSize = Math.Max(initialSize, 256);
        _buffer = ArrayPool<byte>.Shared.Rent(_initialSize);
    }

    public int WrittenCount => _written;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_written + count > _buffer.Length)
        {
            throw new InvalidOperationException("advanced past the end of the buffer");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Forgets what was written, keeping the buffer unless a burst grew it past <see cref="RetainedSize"/>.</summary>
    public void Reset()
    {
        _written = 0;
        if (_buffer.Length > RetainedSize)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(_initialSize);
        }
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(_written + needed, _buffer.Length * 2));
        _buffer.AsSpan(0, _written).CopyTo(grown);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = grown;
    }
}
