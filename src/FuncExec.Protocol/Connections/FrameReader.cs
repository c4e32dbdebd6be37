using System.Buffers;
using System.Buffers.Binary;
using FuncExec.Protocol.Framing;
using Google.Protobuf;

namespace FuncExec.Protocol.Connections;

/// <summary>
/// Reads <see cref="FrameCodec"/> frames asynchronously: a 4-byte little-endian payload length,
/// then one protobuf message.
/// </summary>
/// <remarks>
/// A length above the cap is refused with <see cref="FrameTooLargeException"/> before any
/// payload is read. A payload protobuf cannot parse throws <see cref="InvalidProtocolBufferException"/>.
/// </remarks>
internal static class FrameReader
{
    /// <summary>
    /// Reads exactly one frame from <paramref name="input"/> and parses it. Returns null at a clean
    /// end of stream (no byte of a next frame); throws <see cref="EndOfStreamException"/> on a torn frame.
    /// </summary>
    /// <remarks>
    /// It never reads past the frame, so the stream can be handed on afterwards (the handshake
    /// relies on this). That makes it two reads per frame: use <see cref="FrameConnection"/>
    /// for a stream of frames.
    /// </remarks>
    public static async ValueTask<T?> ReadAsync<T>(
        Stream input,
        MessageParser<T> parser,
        int maxFrameSize = FrameCodec.DefaultMaxFrameSize,
        CancellationToken cancellationToken = default)
        where T : class, IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(parser);
        var header = ArrayPool<byte>.Shared.Rent(FrameCodec.HeaderSize);
        int length;
        try
        {
            var got = await input.ReadAtLeastAsync(
                header.AsMemory(0, FrameCodec.HeaderSize), FrameCodec.HeaderSize, throwOnEndOfStream: false, cancellationToken)
                .ConfigureAwait(false);
            if (got == 0)
            {
                return null;
            }

            if (got < FrameCodec.HeaderSize)
            {
                throw new EndOfStreamException("connection closed inside a frame header");
            }

            length = ReadLength(header, maxFrameSize);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(header);
        }

        var payload = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var got = await input.ReadAtLeastAsync(payload.AsMemory(0, length), length, throwOnEndOfStream: false, cancellationToken)
                .ConfigureAwait(false);
            if (got < length)
            {
                throw new EndOfStreamException($"connection closed inside a frame of {length} bytes");
            }

            // ParseFrom copies bytes fields out, so the pooled array can go back at once.
            return parser.ParseFrom(payload, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload);
        }
    }

    /// <summary>
    /// Parses one whole frame from the front of <paramref name="buffer"/> and slices it off;
    /// false, with <paramref name="buffer"/> untouched, when the frame is not all there yet.
    /// </summary>
    internal static bool TryReadFrame<T>(ref ReadOnlySequence<byte> buffer, MessageParser<T> parser, int maxFrameSize, out T? message)
        where T : class, IMessage<T>
    {
        message = null;
        if (buffer.Length < FrameCodec.HeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[FrameCodec.HeaderSize];
        buffer.Slice(0, FrameCodec.HeaderSize).CopyTo(header);
        var length = ReadLength(header, maxFrameSize);
        if (buffer.Length - FrameCodec.HeaderSize < length)
        {
            return false;
        }

        var payload = buffer.Slice(FrameCodec.HeaderSize, length);
        message = parser.ParseFrom(payload);
        buffer = buffer.Slice(payload.End);
        return true;
    }

    /// <summary>The length the frame at the front of <paramref name="buffer"/> announces, or -1 before its whole header is there.</summary>
    internal static long PeekLength(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.Length < FrameCodec.HeaderSize)
        {
            return -1;
        }

        Span<byte> header = stackalloc byte[FrameCodec.HeaderSize];
        buffer.Slice(0, FrameCodec.HeaderSize).CopyTo(header);
        return BinaryPrimitives.ReadUInt32LittleEndian(header);
    }

    private static int ReadLength(ReadOnlySpan<byte> header, int maxFrameSize)
    {
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (length > (uint)maxFrameSize)
        {
            throw new FrameTooLargeException(length, maxFrameSize);
        }

        return (int)length;
    }
}
