using FuncExec.Protocol.Framing;
using Google.Protobuf;

namespace FuncExec.Protocol.Connections;

/// <summary>Writes single frames to a stream, for the handshake; the steady state batches in <see cref="FrameConnection"/>.</summary>
internal static class FrameWriter
{
    public static async ValueTask WriteAsync(Stream output, IMessage message, CancellationToken cancellationToken = default)
    {
        using var buffer = new PooledBufferWriter(FrameCodec.HeaderSize + message.CalculateSize());
        FrameCodec.Write(buffer, message);
        await output.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
