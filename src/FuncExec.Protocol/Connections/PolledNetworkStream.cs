using System.Net.Sockets;

namespace FuncExec.Protocol.Connections;

/// <summary>
/// A <see cref="NetworkStream"/> whose blocking reads wait for data in <c>poll(2)</c> on the reading thread itself,
/// for a connection read by a thread of its own (<see cref="FrameConnection"/>'s dedicated reader).
/// </summary>
/// <remarks>
/// A socket used asynchronously once stays non-blocking, and the runtime then carries out a blocking read by
/// registering it with its socket poller and waiting for that thread to say data came: two thread wake-ups for every
/// frame that arrives. Waiting in <c>poll</c> first makes the read find its data there, so one wake-up does. And a
/// socket the poller once waited for stays registered with it: then every frame that arrives also wakes the poller's
/// thread and a pool thread it hands the news to, although nobody waits. So nothing here waits in the poller: reads
/// wait in <c>poll</c>, asynchronous ones (TLS and the handshake, before the reading thread starts) on a pool thread;
/// <see cref="ConnectAsync"/> connects without it. The wait is cut into slices, so that a read on a socket disposed
/// meanwhile ends within one slice even where closing the socket would not wake a thread in <c>poll</c>, and an
/// asynchronous one sees its cancellation. Writes are the base stream's: one that finds the socket's buffer full
/// (a peer not reading) waits in the poller, which registers the socket from then on.
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

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var socket = Socket;
        if (!socket.Poll(0, SelectMode.SelectRead))
        {
            await Task.Run(() => WaitReadable(socket, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        return base.Read(buffer.Span);
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Connects <paramref name="socket"/> to <paramref name="address"/> without the runtime's socket poller (see
    /// the remarks): a non-blocking connect, waited for in <c>poll</c> on a pool thread.</summary>
    /// <exception cref="SocketException">It did not connect (refused, unreachable).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public static async Task ConnectAsync(Socket socket, System.Net.IPAddress address, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(address);
        socket.Blocking = false;
        try
        {
            socket.Connect(address, port);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            await Task.Run(() => WaitWritable(socket, cancellationToken), cancellationToken).ConfigureAwait(false);
            var error = (SocketError)(int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
            if (error != SocketError.Success)
            {
                throw new SocketException((int)error);
            }
        }
        finally
        {
            socket.Blocking = true;
        }

        if (!socket.Connected)
        {
            throw new SocketException((int)SocketError.NotConnected);
        }
    }

    // Returns once data (or the peer's close, or an error) is there; throws ObjectDisposedException once disposed. A
    // read of no bytes waits too: the base stream's waits for data, as SslStream's reads of no bytes expect.
    private static void WaitReadable(Socket socket, CancellationToken cancellationToken = default)
    {
        var slice = cancellationToken.CanBeCanceled ? CancellableSliceMicroseconds : PollSliceMicroseconds;
        while (!socket.Poll(slice, SelectMode.SelectRead))
        {
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    // Returns once a non-blocking connect has ended, connected or not.
    private static void WaitWritable(Socket socket, CancellationToken cancellationToken)
    {
        while (!socket.Poll(CancellableSliceMicroseconds, SelectMode.SelectWrite) && !socket.Poll(0, SelectMode.SelectError))
        {
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    // How long an asynchronous wait may take to see its cancellation.
    private const int CancellableSliceMicroseconds = 50_000;
}
