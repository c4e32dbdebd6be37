using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using FuncExec.Client;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.V1;
using Google.Protobuf;

namespace FuncExec.IntegrationTests.Api;

/// <summary>Status replies are matched to the query that asked by request id, not handed to the oldest query.</summary>
public sealed class StatusRequestIdTests
{
    private static readonly TransportSecurity Security = new("s3cret");

    [Fact]
    public async Task QueryStatusAsync_TwoConcurrentQueriesAnsweredOutOfOrder_EachGetsItsOwnReply()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var scheduler = AnswerInReverseAsync(listener, timeout.Token);
            await using var cluster = await RemoteCluster.ConnectAsync(
                $"127.0.0.1:{port}", new RemoteClusterOptions { Security = Security, ReattachTime = TimeSpan.Zero }, timeout.Token);

            // Each call posts its request before it returns: the first is asked first.
            var first = cluster.QueryStatusAsync(timeout.Token);
            var second = cluster.QueryStatusAsync(timeout.Token);

            Assert.Equal("reply to the first", (await first).SchedulerName);
            Assert.Equal("reply to the second", (await second).SchedulerName);
            await scheduler.WaitAsync(timeout.Token);
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>A scripted scheduler: answers the connect's status query, then the next two in reverse order.</summary>
    private static async Task AnswerInReverseAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        var tcp = await listener.AcceptTcpClientAsync(cancellationToken);
        var stream = await SecureTransport.AcceptAsync(tcp.GetStream(), Security, cancellationToken);
        await Handshake.AcceptAsync(
            stream, Security, "scripted", _ => new Welcome { Session = 1, PulseIntervalMs = 1000 }, TimeSpan.FromSeconds(10), cancellationToken);

        var connect = await NextStatusRequestAsync(stream, cancellationToken);
        await ReplyAsync(stream, connect, "reply to the connect", cancellationToken);
        var first = await NextStatusRequestAsync(stream, cancellationToken);
        var second = await NextStatusRequestAsync(stream, cancellationToken);
        Assert.NotEqual(first.Request, second.Request);
        await ReplyAsync(stream, second, "reply to the second", cancellationToken);
        await ReplyAsync(stream, first, "reply to the first", cancellationToken);

        // The connection stays open until the client leaves.
        _ = DrainAsync(tcp, stream);
    }

    private static async Task<StatusRequest> NextStatusRequestAsync(Stream stream, CancellationToken cancellationToken)
    {
        while (true)
        {
            var envelope = await FrameReader.ReadAsync(stream, ClusterEnvelope.Parser, cancellationToken: cancellationToken)
                ?? throw new IOException("the client closed the connection");
            if (envelope.BodyCase == ClusterEnvelope.BodyOneofCase.StatusRequest)
            {
                return envelope.StatusRequest;
            }
        }
    }

    /// <summary>One frame: a 4-byte little-endian length, then the envelope.</summary>
    private static async Task ReplyAsync(Stream stream, StatusRequest request, string name, CancellationToken cancellationToken)
    {
        var body = new ClusterEnvelope { StatusReply = new StatusReply { Request = request.Request, SchedulerName = name } }.ToByteArray();
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        await stream.WriteAsync(frame, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    private static async Task DrainAsync(TcpClient tcp, Stream stream)
    {
        using (tcp)
        {
            await using (stream)
            {
                try
                {
                    while (await FrameReader.ReadAsync(stream, ClusterEnvelope.Parser) is not null)
                    {
                    }
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or ProtocolException)
                {
                    // The client went.
                }
            }
        }
    }
}
