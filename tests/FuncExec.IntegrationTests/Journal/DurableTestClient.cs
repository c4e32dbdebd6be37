using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.Framing;
using FuncExec.Protocol.V1;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;

namespace FuncExec.IntegrationTests.Journal;

/// <summary>
/// A client written at the protocol level, as a reattaching client speaks it: a token in its Hello, an
/// <see cref="AckReports"/> after each <see cref="TaskReports"/> frame, <see cref="Resume"/> after a reconnect. It
/// counts every report per tag, so a test sees a report that came twice.
/// </summary>
internal sealed class DurableTestClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly FrameConnection _connection;
    private readonly Channel<ClusterEnvelope> _received = Channel.CreateUnbounded<ClusterEnvelope>();

    private DurableTestClient(TcpClient tcp, FrameConnection connection, Welcome welcome)
    {
        _tcp = tcp;
        _connection = connection;
        Welcome = welcome;
    }

    /// <summary>What the scheduler said in its handshake (<see cref="Welcome.Resumed"/>).</summary>
    public Welcome Welcome { get; }

    /// <summary>Reports received, by tag, each time one came (shared across reconnects when the test passes one in).</summary>
    public ConcurrentDictionary<long, List<TaskReportMessage>> Reports { get; private init; } = new();

    /// <summary>Ends when the scheduler closes the connection.</summary>
    public Task<CloseReason> Closed => _connection.Completion;

    public static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/> as the client <paramref name="token"/>, adding reports to <paramref name="reports"/>.</summary>
    public static async Task<DurableTestClient> ConnectAsync(int port, string secret, string token, uint reattachMs, ConcurrentDictionary<long, List<TaskReportMessage>>? reports = null)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var security = new TransportSecurity(secret);
        var stream = await SecureTransport.ConnectAsync(tcp.GetStream(), "127.0.0.1", security);
        var welcome = await HandshakeAsync(stream, secret, token, reattachMs);
        var client = new DurableTestClient(tcp, new FrameConnection(stream, "scheduler", NullLogger.Instance), welcome)
        {
            Reports = reports ?? new(),
        };
        client._connection.Start(client.OnFrameAsync);
        return client;
    }

    /// <summary>The peer's side of the handshake, with a token (plain text on loopback: no channel binding).</summary>
    private static async Task<Welcome> HandshakeAsync(Stream stream, string secret, string token, uint reattachMs)
    {
        var nonce = RandomNumberGenerator.GetBytes(32);
        await WriteAsync(stream, new ClusterEnvelope
        {
            Hello = new Hello
            {
                ProtocolVersion = FuncExec.Protocol.ProtocolVersion.Current,
                Role = PeerRole.Client,
                Name = "durable-test",
                PeerNonce = ByteString.CopyFrom(nonce),
                ClientToken = token,
                ReattachMs = reattachMs,
            },
        });
        var challenge = Read(stream);
        if (challenge.BodyCase == ClusterEnvelope.BodyOneofCase.Refused)
        {
            throw new PeerProtocolException($"refused: {challenge.Refused.Reason}");
        }

        var key = Encoding.UTF8.GetBytes(secret);
        byte[] data = [.. "peer"u8, .. challenge.Challenge.SchedulerNonce.Span];
        var proof = HMACSHA256.HashData(key, data);
        await WriteAsync(stream, new ClusterEnvelope { Proof = new Proof { PeerProof = ByteString.CopyFrom(proof) } });
        var answer = Read(stream);
        return answer.BodyCase == ClusterEnvelope.BodyOneofCase.Welcome
            ? answer.Welcome
            : throw new PeerProtocolException($"refused: {answer.Refused?.Reason ?? answer.BodyCase.ToString()}");
    }

    private static async Task WriteAsync(Stream stream, ClusterEnvelope envelope)
    {
        var buffer = new ArrayBufferWriter<byte>();
        FrameCodec.Write(buffer, envelope);
        await stream.WriteAsync(buffer.WrittenMemory);
        await stream.FlushAsync();
    }

    private static ClusterEnvelope Read(Stream stream)
    {
        var buffer = Array.Empty<byte>();
        return FrameCodec.Read(stream, ClusterEnvelope.Parser, ref buffer) ?? throw new PeerProtocolException("the scheduler closed the connection in the handshake");
    }

    public void Send(ClusterEnvelope envelope)
    {
        if (!_connection.Post(envelope))
        {
            throw new InvalidOperationException("the connection is closed");
        }
    }

    /// <summary>The next frame of <paramref name="kind"/> (others are skipped).</summary>
    public async Task<ClusterEnvelope> ReceiveAsync(ClusterEnvelope.BodyOneofCase kind)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
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
        switch (envelope.BodyCase)
        {
            case ClusterEnvelope.BodyOneofCase.Pulse:
                _connection.Post(new ClusterEnvelope { Pulse = new Pulse() });
                return ValueTask.CompletedTask;
            case ClusterEnvelope.BodyOneofCase.TaskReports:
                var ack = new AckReports();
                foreach (var report in envelope.TaskReports.Reports)
                {
                    var list = Reports.GetOrAdd(report.Tag, _ => []);
                    lock (list)
                    {
                        list.Add(report);
                    }

                    ack.TaskIds.Add(report.Id);
                }

                // Acknowledged after handling, as a client does.
                _connection.Post(new ClusterEnvelope { AckReports = ack });
                break;
        }

        _received.Writer.TryWrite(envelope);
        return ValueTask.CompletedTask;
    }
}
