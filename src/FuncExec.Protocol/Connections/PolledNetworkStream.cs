using System.Net.Sockets;

namespace FuncExec.Protocol.Connections;

/// <summary>
/// A <see cref="NetworkStream"/> whose blocking reads wait for data in <c>poll(2)</c> on the reading thread itself,
/// for a connection read by a thread of its own (<see cref="FrameConnection"/>'s dedicated reader).
/// </summary>
/// <remarks>
/// A socket used asynchronously once (to connect, for TLS and the handshake) stays non-blocking, and the runtime then
/// carries out a blocking read by registering it with its socket poller and waiting for that thread to say data came:
/// two thread wake-ups for every frame that arrives. Waiting in <c>poll</c> first makes the read find its data
/// there, so one wake-up does. The wait is cut into slices of half a second, so that a read on a socket
/// disposed meanwhile ends within one slice even where closing the socket would not wake a thread in <c>poll</c>.
/// Writes and asynchronous reads are the base stream's.
/// </remarks>
internal sealed class PolledNetworkStream : NetworkStream
{
    private const int PollSliceMicroseconds = 500_000;

    /// <summary>Wraps <paramref name="socket"/>, a connected stream socket, and owns it.</summary>
    public PolledNetworkStream(Socket socket)
        : base(socket, ownsSocket: true)
    {
    }

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        WaitReadable(Socket);
        return base.Read(buffer);
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count)
    {
        WaitReadable(Socket);
        return base.Read(buffer, offset, count);
    }

    /// <inheritdoc />
    public override int ReadByte()
    {
        WaitReadable(Socket);
        return base.ReadByte();
    }

    // Returns once data (or the peer's close, or an error) is there; throws ObjectDisposedException once disposed. A
    // read of no bytes waits too: the base stream's waits for data, as SslStream's reads of no bytes expect.
    private static void WaitReadable(Socket socket)
    {
        while (!socket.Poll(PollSliceMicroseconds, SelectMode.SelectRead))
        {
        }
    }
}
