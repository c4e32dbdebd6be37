using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.V1;

namespace FuncExec.Protocol.Tests.Support;

/// <summary>
/// The scheduler's side of the connection setup on a real listener at 127.0.0.1: every accepted
/// connection runs <see cref="SecureTransport.AcceptAsync"/> and <see cref="Handshake.AcceptAsync"/>,
/// and its outcome is queued for the test.
/// </summary>
internal sealed class TestScheduler : IAsyncDisposable
{
    public const string Name = "sched";
    public const uint PulseIntervalMs = 1500;

    private readonly TransportSecurity _security;
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<AcceptOutcome> _outcomes = Channel.CreateUnbounded<AcceptOutcome>();
    private readonly Task _acceptLoop;
    private long _sessions;

    public TestScheduler(TransportSecurity security)
    {
        _security = security;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    /// <summary>The outcome of the next connection's handshake.</summary>
    public Task<AcceptOutcome> NextAsync() => _outcomes.Reader.ReadAsync().Within();

    /// <summary>A node's or client's whole connection setup against this scheduler.</summary>
    /// <param name="tls">Use TLS even without a pinned certificate, as a peer beyond loopback does; null for the loopback default.</param>
    public async Task<(Stream Stream, HandshakeResult Result)> ConnectAsync(
        TransportSecurity security, PeerRole role = PeerRole.Node, string name = "n1", bool? tls = null)
    {
        var raw = await TcpPair.ConnectAsync(Port);
        var stream = tls is { } useTls
            ? await SecureTransport.ConnectAsync(raw, "127.0.0.1", security, useTls).Within()
            : await SecureTransport.ConnectAsync(raw, "127.0.0.1", security).Within();
        var result = await Handshake.ConnectAsync(stream, role, name, security, Patience.Timeout).Within();
        return (stream, result);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        _outcomes.Writer.TryComplete();
        await foreach (var outcome in _outcomes.Reader.ReadAllAsync())
        {
            if (outcome.Stream is not null)
            {
                await outcome.Stream.DisposeAsync();
            }
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            socket.NoDelay = true;
            _ = HandleAsync(socket);
        }
    }

    private async Task HandleAsync(Socket socket)
    {
        var raw = new NetworkStream(socket, ownsSocket: true);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            deadline.CancelAfter(Patience.Timeout);
            var stream = await SecureTransport.AcceptAsync(raw, _security, socket.RemoteEndPoint, deadline.Token);
            var peer = await Handshake.AcceptAsync(
                stream,
                _security,
                Name,
                _ => new Welcome { Session = Interlocked.Increment(ref _sessions), PulseIntervalMs = PulseIntervalMs },
                Patience.Timeout,
                deadline.Token);
            _outcomes.Writer.TryWrite(new AcceptOutcome(peer, stream, null));
        }
        catch (Exception ex)
        {
            _outcomes.Writer.TryWrite(new AcceptOutcome(null, null, ex));
        }
    }
}
