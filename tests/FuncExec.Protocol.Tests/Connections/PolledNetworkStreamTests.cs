using System.Net;
using System.Net.Sockets;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.Tests.Support;
using FuncExec.Protocol.V1;

namespace FuncExec.Protocol.Tests.Connections;

public sealed class PolledNetworkStreamTests
{
    private static ClusterEnvelope Pulse(long n) => new() { Pulse = new Pulse { SentUnixUs = n } };

    [Fact]
    public async Task DedicatedReader_OverPolledStream_ReceivesEveryFrameInOrder()
    {
        const int Count = 5_000;
        var (polled, server) = await ConnectAsync();
        await using var reader = new FrameConnection(polled, "server", new RecordingLogger(), dedicatedReader: true);
        await using var writer = new FrameConnection(server, "client", new RecordingLogger());
        var seen = new List<long>(Count);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        reader.Start(frame =>
        {
            seen.Add(frame.Pulse.SentUnixUs);
            if (seen.Count == Count)
            {
                done.TrySetResult();
            }

            return ValueTask.CompletedTask;
        });
        writer.Start(_ => ValueTask.CompletedTask);
        for (var i = 0; i < Count; i++)
        {
            // In bursts and one at a time, so that reads find a frame whole, in parts, and nothing yet.
            Assert.True(writer.Post(Pulse(i)));
            if (i % 500 == 0)
            {
                await Task.Yield();
            }
        }

        await done.Task.Within();
        Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i), seen);
    }

    [Fact]
    public async Task DedicatedReader_WaitingInPoll_DisposeEndsTheConnection()
    {
        var (polled, server) = await ConnectAsync();
        await using var writer = new FrameConnection(server, "client", new RecordingLogger());
        var reader = new FrameConnection(polled, "server", new RecordingLogger(), dedicatedReader: true);
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        reader.Start(_ =>
        {
            first.TrySetResult();
            return ValueTask.CompletedTask;
        });
        writer.Start(_ => ValueTask.CompletedTask);
        // Once the one frame is handled, the reader goes back to wait for the next, which never comes.
        writer.Post(Pulse(1));
        await first.Task.Within();

        await reader.DisposeAsync().AsTask().Within();
        Assert.Equal(CloseReasonKind.LocalClose, (await reader.Completion.Within()).Kind);
    }

    [Fact]
    public async Task DedicatedReader_PeerCloses_ClosedByPeer()
    {
        var (polled, server) = await ConnectAsync();
        await using var reader = new FrameConnection(polled, "server", new RecordingLogger(), dedicatedReader: true);
        reader.Start(_ => ValueTask.CompletedTask);
        await server.DisposeAsync();

        Assert.Equal(CloseReasonKind.PeerClosed, (await reader.Completion.Within()).Kind);
    }

    [Fact]
    public async Task ConnectAsync_ThenReadAsyncBeforeDataCame_ReturnsTheBytesOnceSent()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var accepting = listener.AcceptAsync();
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await PolledNetworkStream.ConnectAsync(socket, IPAddress.Loopback, ((IPEndPoint)listener.LocalEndPoint!).Port, CancellationToken.None).Within();
        using var server = await accepting.Within();
        Assert.True(socket.Connected);
        await using var polled = new PolledNetworkStream(socket);

        // As a handshake reads: asynchronously, with nothing there yet.
        var buffer = new byte[16];
        var reading = polled.ReadAsync(buffer).AsTask();
        server.Send([1, 2, 3]);
        var read = await reading.Within();
        Assert.Equal(3, read);
        Assert.Equal([1, 2, 3], buffer[..3]);

        // And the other way, as the connection writes.
        await polled.WriteAsync(new byte[] { 4, 5 });
        var back = new byte[2];
        Assert.Equal(2, server.Receive(back));
        Assert.Equal([4, 5], back);
    }

    [Fact]
    public async Task ConnectAsync_NothingListening_ThrowsConnectionRefused()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        // Bound but not listening: a connect to it is refused.
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);

        var refused = await Assert.ThrowsAsync<SocketException>(() => PolledNetworkStream.ConnectAsync(socket, IPAddress.Loopback, port, CancellationToken.None).Within());
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task ReadAsync_CancelledWhileWaiting_ThrowsOperationCanceled()
    {
        var (polled, server) = await ConnectAsync();
        await using var _ = server;
        await using var __ = polled;
        using var cancel = new CancellationTokenSource();
        var reading = polled.ReadAsync(new byte[16], cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading.Within());
    }

    // A client end used asynchronously first (connect), as a dialer's is, and its server end.
    private static async Task<(PolledNetworkStream Polled, NetworkStream Server)> ConnectAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var accepting = listener.AcceptAsync();
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndPoint!).Port)).Within();
        var server = await accepting.Within();
        server.NoDelay = true;
        return (new PolledNetworkStream(socket), new NetworkStream(server, ownsSocket: true));
    }
}
