using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace FuncExec.IntegrationTests.Hostile;

/// <summary>A peer that knows the cluster secret and speaks the real protocol, but says whatever a test
/// tells it: a rogue node or client, or a rogue scheduler to a node. It answers every pulse, so it is not dropped for silence.</summary>
internal sealed class RoguePeer : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly FrameConnection _connection;
    private readonly Channel<ClusterEnvelope> _received = Channel.CreateUnbounded<ClusterEnvelope>();

    private RoguePeer(TcpClient tcp, FrameConnection connection)
    {
        _tcp = tcp;
        _connection = connection;
    }

    /// <summary>Connects to the scheduler at <paramref name="address"/> (127.0.0.1:port) and passes the handshake.</summary>
    public static async Task<RoguePeer> ConnectAsync(string address, PeerRole role, string name, string secret)
    {
        var port = int.Parse(address[(address.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var security = new TransportSecurity(secret);
        var stream = await SecureTransport.ConnectAsync(tcp.GetStream(), "127.0.0.1", security);
        await Handshake.ConnectAsync(stream, role, name, security, TimeSpan.FromSeconds(10));
        var peer = new RoguePeer(tcp, new FrameConnection(stream, "scheduler", NullLogger.Instance));
        peer._connection.Start(peer.OnFrameAsync);
        return peer;
    }

    /// <summary>Registers as a node with <paramref name="workers"/> workers, none of which ever says it is ready:
    /// the scheduler never hands it a task.</summary>
    public static async Task<RoguePeer> JoinAsNodeAsync(string address, string name, string secret, int workers)
    {
        var peer = await ConnectAsync(address, PeerRole.Node, name, secret);
        var register = new NodeRegister { Name = name, Pid = Environment.ProcessId };
        register.WorkerCores.AddRange(Enumerable.Range(0, workers));
        peer.Send(new ClusterEnvelope { NodeRegister = register });
        return peer;
    }

    /// <summary>Accepts a node's next connection on <paramref name="listener"/> as its scheduler: an impostor that passes
    /// the handshake (its welcome asking for a pulse every <paramref name="pulseMs"/>) and then sends the node whatever
    /// a test tells it.</summary>
    public static async Task<RoguePeer> AcceptNodeAsync(TcpListener listener, string secret, uint pulseMs = 1000)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tcp = await listener.AcceptTcpClientAsync(patience.Token);
        var security = new TransportSecurity(secret);
        var stream = await SecureTransport.AcceptAsync(tcp.GetStream(), security, patience.Token);
        await Handshake.AcceptAsync(stream, security, "rogue-scheduler", _ => new Welcome { Session = 1, PulseIntervalMs = pulseMs }, TimeSpan.FromSeconds(10), patience.Token);
        var peer = new RoguePeer(tcp, new FrameConnection(stream, "node", NullLogger.Instance));
        peer._connection.Start(peer.OnFrameAsync);
        return peer;
    }

    public void Send(ClusterEnvelope envelope)
    {
        if (!_connection.Post(envelope))
        {
            throw new InvalidOperationException("the scheduler closed the rogue's connection");
        }
    }

    /// <summary>The next frame of <paramref name="kind"/> the scheduler sent (others are skipped).</summary>
    public async Task<ClusterEnvelope> ReceiveAsync(ClusterEnvelope.BodyOneofCase kind)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var envelope = await _received.Reader.ReadAsync(patience.Token);
            if (envelope.BodyCase == kind)
            {
                return envelope;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        _tcp.Dispose();
    }

    private ValueTask OnFrameAsync(ClusterEnvelope envelope)
    {
        if (envelope.BodyCase == ClusterEnvelope.BodyOneofCase.Pulse)
        {
            _connection.Post(new ClusterEnvelope { Pulse = new Pulse { SentUnixUs = envelope.Pulse.SentUnixUs } });
        }
        else
        {
            _received.Writer.TryWrite(envelope);
        }

        return ValueTask.CompletedTask;
    }
}
