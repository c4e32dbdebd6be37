using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace FuncExec.Protocol.Framing;

/// <summary>
/// Writes and reads frames: a 4-byte little-endian payload length, then one protobuf message.
/// </summary>
/// <remarks>
/// A length above the reader's cap (default <see cref="DefaultMaxFrameSize"/>) is refused
/// before any payload is read, so a hostile or broken peer cannot make us allocate it.
/// Zero-length payloads are valid (an empty message).
/// </remarks>
internal static class FrameCodec
{
    /// <summary>Default cap on one frame's payload: 64 MiB.</summary>
    public const int DefaultMaxFrameSize = 64 * 1024 * 1024;

    /// <summary>Bytes in the length prefix.</summary>
    public const int HeaderSize = 4;

    /// <summary>Serializes <paramref name="message"/> as one frame into <paramref name="output"/>.</summary>
    public static void Write(IBufferWriter<byte> output, IMessage message)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(message);
        var size = message.CalculateSize();
        var span = output.GetSpan(HeaderSize + size);
        BinaryPrimitives.WriteInt32LittleEndian(span, size);
        message.WriteTo(span.Slice(HeaderSize, size));
        output.Advance(HeaderSize + size);
    }

    /// <summary>
    /// Reads one frame from <paramref name="input"/> into <paramref name="buffer"/> (grown as needed)
    /// and parses it with <paramref name="parser"/>. Returns null at a clean end of stream
    /// (no bytes of a next frame); throws <see cref="EndOfStreamException"/> on a torn frame.
    /// </summary>
    public static T? Read<T>(Stream input, MessageParser<T> parser, ref byte[] buffer, int maxFrameSize = DefaultMaxFrameSize)
        where T : class, IMessage<T> =>
        Read(input, parser, ref buffer, out _, maxFrameSize);

    /// <summary>As <see cref="Read{T}(Stream, MessageParser{T}, ref byte[], int)"/>, also giving the frame's size on
    /// the wire, its header included (0 at the end of the stream), for the byte counters.</summary>
    public static T? Read<T>(Stream input, MessageParser<T> parser, ref byte[] buffer, out int frameSize, int maxFrameSize = DefaultMaxFrameSize)
        where T : class, IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(parser);
        frameSize = 0;
        Span<byte> header = stackalloc byte[HeaderSize];
        var got = ReadAtLeast(input, header);
        if (got == 0)
        {
            return null;
        }

        if (got < HeaderSize)
        {
            throw new EndOfStreamException("connection closed inside a frame header");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length < 0 || length > maxFrameSize)
        {
            throw new FrameTooLargeException((uint)length, maxFrameSize);
        }

        if (buffer.Length < length)
        {
            buffer = new byte[Math.Max(length, buffer.Length * 2)];
        }

        var payload = buffer.AsSpan(0, length);
        if (ReadAtLeast(input, payload) < length)
        {
            throw new EndOfStreamException($"connection closed inside a frame of {length} bytes");
        }

        frameSize = HeaderSize + length;
        return parser.ParseFrom(payload);
    }

    private static int ReadAtLeast(Stream input, Span<byte> target)
    {
        var total = 0;
        while (total < target.Length)
        {
            var n = input.Read(target[total..]);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
