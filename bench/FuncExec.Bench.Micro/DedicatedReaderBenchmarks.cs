using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace FuncExec.Bench.Micro;

/// <summary>
/// A frame's round trip over TCP on 127.0.0.1 to an echoing peer, read back by a connection's dedicated reader thread
/// over the socket as a node or a client dials it (connected asynchronously, so non-blocking): through a plain
/// <see cref="NetworkStream"/>, whose blocking read waits for the runtime's socket poller thread to say data came,
/// against <see cref="PolledNetworkStream"/>, whose read waits in <c>poll</c> on the reader thread itself.
/// </summary>
public class DedicatedReaderBenchmarks : IDisposable
{
    private static readonly ClusterEnvelope Ping = new() { Pulse = new Pulse { SentUnixUs = 1 } };

    private FrameConnection? _plain;
    private FrameConnection? _polled;
    private readonly List<FrameConnection> _echoes = [];
    private TaskCompletionSource _answer = new();

    [GlobalSetup]
    public void Setup()
    {
        _plain = ConnectAsync(polled: false).GetAwaiter().GetResult();
        _polled = ConnectAsync(polled: true).GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public Task RoundTripPlainNetworkStream() => RoundTripAsync(_plain!);

    [Benchmark]
    public Task RoundTripPolledNetworkStream() => RoundTripAsync(_polled!);

    [GlobalCleanup]
    public void Dispose()
    {
        _plain?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _polled?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        foreach (var echo in _echoes)
        {
            echo.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        GC.SuppressFinalize(this);
    }

    private Task RoundTripAsync(FrameConnection connection)
    {
        _answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Post(Ping);
        return _answer.Task;
    }

    private async Task<FrameConnection> ConnectAsync(bool polled)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var accepting = listener.AcceptAsync();
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndPoint!).Port));
        var server = await accepting;
        server.NoDelay = true;

        var echo = new FrameConnection(new NetworkStream(server, ownsSocket: true), "client", NullLogger.Instance);
        echo.Start(frame =>
        {
            echo.Post(frame);
            return ValueTask.CompletedTask;
        });
        _echoes.Add(echo);
        Stream stream = polled ? new PolledNetworkStream(socket) : new NetworkStream(socket, ownsSocket: true);
        var connection = new FrameConnection(stream, "echo", NullLogger.Instance, dedicatedReader: true);
        connection.Start(_ =>
        {
            _answer.TrySetResult();
            return ValueTask.CompletedTask;
        });
        return connection;
    }
}
