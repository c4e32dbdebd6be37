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
