using System.Buffers;

namespace FuncExec.Journal.Sqlite;

/// <summary>
/// The buffer a record-log frame is built in: chunks of 64 KiB, written to the log with one gathered write.
/// </summary>
/// <remarks>
/// A burst of submissions makes a frame of megabytes. One contiguous buffer for it grew by doubling: every step a new
/// array on the large object heap, whose allocations bring full collections of a scheduler holding thousands of tasks.
/// Chunks stay below that heap's threshold, the first <see cref="KeptChunks"/> are kept for the next frame, and the
/// rest are rented from the shared pool and returned once the frame is written. Not thread-safe: the thread that
/// commits owns it.
/// </remarks>
internal sealed class JournalFrameBuffer
{
    /// <summary>The size of each chunk; a run of bytes longer than this is split across chunks.</summary>
    public const int ChunkSize = 64 * 1024;

    /// <summary>Chunks kept from one frame to the next (1 MiB); those past them go back to the shared pool.</summary>
    public const int KeptChunks = 16;

    private readonly List<byte[]> _chunks = [new byte[ChunkSize]];
    // How many bytes of each chunk in use hold the frame (a chunk ends early when a value did not fit in its rest).
    private readonly List<int> _used = [0];
    private int _current;

    /// <summary>The bytes written since <see cref="Reset"/>.</summary>
    public long Length { get; private set; }

    /// <summary>Empties the buffer for the next frame, returning the rented chunks.</summary>
    public void Reset()
    {
        for (var i = _chunks.Count - 1; i >= KeptChunks; i--)
        {
            ArrayPool<byte>.Shared.Return(_chunks[i]);
            _chunks.RemoveAt(i);
        }

        _used.Clear();
        _used.Add(0);
        _current = 0;
        Length = 0;
    }

    /// <summary>The next <paramref name="count"/> bytes, contiguous, to be filled by the caller.</summary>
    /// <param name="count">At most <see cref="ChunkSize"/>.</param>
    public Span<byte> Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, ChunkSize);
        if (ChunkSize - _used[_current] < count)
        {
            NextChunk();
        }

        var start = _used[_current];
        _used[_current] = start + count;
        Length += count;
        return _chunks[_current].AsSpan(start, count);
    }

    /// <summary>Appends <paramref name="bytes"/>, across as many chunks as they need.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_used[_current] == ChunkSize)
            {
                NextChunk();
            }

            var part = Math.Min(bytes.Length, ChunkSize - _used[_current]);
            bytes[..part].CopyTo(_chunks[_current].AsSpan(_used[_current]));
            _used[_current] += part;
            Length += part;
            bytes = bytes[part..];
        }
    }

    /// <summary>The CRC-32 of the bytes written, leaving out the first <paramref name="skip"/> (which must lie in the
    /// first chunk).</summary>
    public uint Crc32(int skip)
    {
        var crc = new System.IO.Hashing.Crc32();
        for (var i = 0; i <= _current; i++)
        {
            var from = i == 0 ? skip : 0;
            crc.Append(_chunks[i].AsSpan(from, _used[i] - from));
        }

        return crc.GetCurrentHashAsUInt32();
    }

    /// <summary>The first <paramref name="count"/> bytes written, to fill in a header reserved with <see cref="Take"/>
    /// at the start.</summary>
    public Span<byte> Start(int count) => _chunks[0].AsSpan(0, count);

    /// <summary>The bytes written, chunk by chunk, for one gathered write.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Segments()
    {
        var segments = new ReadOnlyMemory<byte>[_current + 1];
        for (var i = 0; i <= _current; i++)
        {
            segments[i] = _chunks[i].AsMemory(0, _used[i]);
        }

        return segments;
    }

    /// <summary>The bytes written, as one array (for tests).</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        var at = 0;
        foreach (var segment in Segments())
        {
            segment.Span.CopyTo(bytes.AsSpan(at));
            at += segment.Length;
        }

        return bytes;
    }

    private void NextChunk()
    {
        _current++;
        if (_current == _chunks.Count)
        {
            _chunks.Add(_chunks.Count < KeptChunks ? new byte[ChunkSize] : ArrayPool<byte>.Shared.Rent(ChunkSize));
        }

        _used.Add(0);
    }
}
