using System.Net.Security;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.Tests.Support;
using FuncExec.Protocol.V1;

namespace FuncExec.Protocol.Tests.Connections;

public sealed class SecureTransportTests(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    private TransportSecurity SchedulerTls => new("s3cret", certificates.CertFile, certificates.KeyFile);

    private TransportSecurity PeerTls => new("s3cret", certificates.CertFile);

    private static TransportSecurity Plain => new("s3cret");

    [Theory]
    [InlineData(nameof(PeerRole.Node))]
    [InlineData(nameof(PeerRole.Client))]
    public async Task AcceptAsync_TlsOnBothSides_HandshakeSucceedsOverTls(string roleName)
    {
        var role = Enum.Parse<PeerRole>(roleName);
        await using var scheduler = new TestScheduler(SchedulerTls);

        var (stream, result) = await scheduler.ConnectAsync(PeerTls, role, "p1");
        await using var _ = stream;
        var accepted = await scheduler.NextAsync();

        Assert.Null(accepted.Error);
        Assert.Equal(role, accepted.Peer!.Role);
        Assert.Equal(TestScheduler.Name, result.SchedulerName);
        Assert.True(Assert.IsType<SslStream>(stream).IsAuthenticated);
        Assert.True(Assert.IsType<SslStream>(accepted.Stream).IsEncrypted);
    }

    [Fact]
    public async Task AcceptAsync_TlsOnBothSides_FrameConnectionsExchangeFrames()
    {
        await using var scheduler = new TestScheduler(SchedulerTls);
        var (stream, _) = await scheduler.ConnectAsync(PeerTls);
        var accepted = await scheduler.NextAsync();
        await using var peer = new FrameConnection(stream, "scheduler", new RecordingLogger());
        await using var server = new FrameConnection(accepted.Stream!, "node 'n1'", new RecordingLogger());
        var received = new TaskCompletionSource<ClusterEnvelope>(TaskCreationOptions.RunContinuationsAsynchronously);

        server.Start(frame =>
        {
            server.Post(new ClusterEnvelope { Pulse = new Pulse { SentUnixUs = frame.Pulse.SentUnixUs + 1 } });
            return ValueTask.CompletedTask;
        });
        peer.Start(frame =>
        {
            received.TrySetResult(frame);
            return ValueTask.CompletedTask;
        });
        peer.Post(new ClusterEnvelope { Pulse = new Pulse { SentUnixUs = 41 } });

        Assert.Equal(42, (await received.Task.Within()).Pulse.SentUnixUs);
    }

    [Fact]
    public async Task AcceptAsync_TlsSchedulerPlainPeer_BothSidesThrowTlsMismatch()
    {
        await using var scheduler = new TestScheduler(SchedulerTls);

        var peerError = await Assert.ThrowsAsync<TlsMismatchException>(() => scheduler.ConnectAsync(Plain));
        var accepted = await scheduler.NextAsync();

        Assert.Equal("the scheduler refused this node: this scheduler requires TLS; connect with --certfile", peerError.Message);
        var schedulerError = Assert.IsType<TlsMismatchException>(accepted.Error);
        Assert.Contains("plain-text peer", schedulerError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcceptAsync_PlainSchedulerTlsPeer_BothSidesThrowTlsMismatch()
    {
        await using var scheduler = new TestScheduler(Plain);

        var peerError = await Assert.ThrowsAsync<TlsMismatchException>(() => scheduler.ConnectAsync(PeerTls));
        var accepted = await scheduler.NextAsync();

        Assert.StartsWith("the scheduler at 127.0.0.1 does not speak TLS", peerError.Message, StringComparison.Ordinal);
        var schedulerError = Assert.IsType<TlsMismatchException>(accepted.Error);
        Assert.Equal(
            "a TLS client connected to a plain-text port; start the scheduler with --certfile/--keyfile or connect without TLS",
            schedulerError.Message);
    }

    [Fact]
    public async Task AcceptAsync_PeerPresentsTheClusterCertificateAndKey_MutualTlsSucceeds()
    {
        await using var scheduler = new TestScheduler(SchedulerTls);

        var (stream, _) = await scheduler.ConnectAsync(new TransportSecurity("s3cret", certificates.CertFile, certificates.KeyFile));
        await using var _ = stream;
        var accepted = await scheduler.NextAsync();

        Assert.Null(accepted.Error);
        Assert.NotNull(Assert.IsType<SslStream>(accepted.Stream).RemoteCertificate);
    }

    [Fact]
    public async Task AcceptAsync_PeerPresentsAnotherClientCertificate_SchedulerRefusesNamingIt()
    {
        await using var scheduler = new TestScheduler(SchedulerTls);
        // The impostor trusts the scheduler (its certificate is in the file) but holds another key.
        var impostor = Path.Combine(certificates.Folder, "impostor-with-trust.pem");
        var pem = await File.ReadAllTextAsync(certificates.OtherCertFile) + "\n" + await File.ReadAllTextAsync(certificates.CertFile);
        await File.WriteAllTextAsync(impostor, pem);

        await Assert.ThrowsAnyAsync<PeerProtocolException>(() => scheduler.ConnectAsync(new TransportSecurity("s3cret", impostor, certificates.OtherKeyFile)));
        var accepted = await scheduler.NextAsync();

        Assert.True(accepted.Error is AuthenticationFailedException, accepted.Error?.ToString());
        var error = accepted.Error!;
        Assert.Contains("CN=funcexec-impostor", error.Message, StringComparison.Ordinal);
        Assert.Contains("client certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_SchedulerCertificateNotTrusted_ThrowsAuthenticationFailed()
    {
        await using var scheduler = new TestScheduler(SchedulerTls);

        var peerError = await Assert.ThrowsAsync<AuthenticationFailedException>(
            () => scheduler.ConnectAsync(new TransportSecurity("s3cret", certificates.OtherCertFile)));
        var accepted = await scheduler.NextAsync();

        Assert.Contains("CN=funcexec-scheduler", peerError.Message, StringComparison.Ordinal);
        Assert.Contains(certificates.OtherCertFile, peerError.Message, StringComparison.Ordinal);
        Assert.IsType<PeerProtocolException>(accepted.Error);
    }

    [Fact]
    public async Task ConnectAsync_TlsWithWrongSecret_ThrowsAuthenticationFailed()
    {
        await using var scheduler = new TestScheduler(SchedulerTls);

        await Assert.ThrowsAsync<AuthenticationFailedException>(
            () => scheduler.ConnectAsync(PeerTls with { Secret = "other" }));
        var accepted = await scheduler.NextAsync();

        Assert.IsType<AuthenticationFailedException>(accepted.Error);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AcceptAsync_GarbageBytes_ClosesOnlyThatConnection(bool tls)
    {
        await using var scheduler = new TestScheduler(tls ? SchedulerTls : Plain);
        await using var bad = await TcpPair.ConnectAsync(scheduler.Port);

        await bad.WriteAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
        var refused = await scheduler.NextAsync();
        var (good, result) = await scheduler.ConnectAsync(tls ? PeerTls : Plain);
        await using var _ = good;
        var accepted = await scheduler.NextAsync();

        Assert.IsAssignableFrom<PeerProtocolException>(refused.Error);
        await HandshakeTests.ReadToEndAsync(bad);
        Assert.Null(accepted.Error);
        Assert.Equal(TestScheduler.Name, result.SchedulerName);
    }

    [Fact]
    public async Task AcceptAsync_OversizedLengthPrefix_ClosesOnlyThatConnection()
    {
        await using var scheduler = new TestScheduler(Plain);
        await using var bad = await TcpPair.ConnectAsync(scheduler.Port);

        await bad.WriteAsync(new byte[] { 0x01, 0x00, 0x01, 0x00 });
        var refused = await scheduler.NextAsync();
        var (good, _) = await scheduler.ConnectAsync(Plain);
        await using var _ = good;
        var accepted = await scheduler.NextAsync();

        var error = Assert.IsType<PeerProtocolException>(refused.Error);
        Assert.Contains("frame of 65537 bytes, over the 65536-byte handshake cap", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await HandshakeTests.ReadToEndAsync(bad));
        Assert.Null(accepted.Error);
    }

    [Fact]
    public async Task AcceptAsync_MalformedFrame_ClosesOnlyThatConnection()
    {
        await using var scheduler = new TestScheduler(Plain);
        await using var bad = await TcpPair.ConnectAsync(scheduler.Port);

        await bad.WriteAsync(new byte[] { 4, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF });
        var refused = await scheduler.NextAsync();
        var (good, _) = await scheduler.ConnectAsync(Plain);
        await using var _ = good;
        var accepted = await scheduler.NextAsync();

        var error = Assert.IsType<PeerProtocolException>(refused.Error);
        Assert.Contains("not a FuncExec handshake frame", error.Message, StringComparison.Ordinal);
        Assert.Null(accepted.Error);
    }

    [Fact]
    public async Task AcceptAsync_PeerClosesAtOnce_ThrowsProtocolException()
    {
        await using var scheduler = new TestScheduler(Plain);
        var bad = await TcpPair.ConnectAsync(scheduler.Port);

        await bad.DisposeAsync();
        var refused = await scheduler.NextAsync();

        var error = Assert.IsType<PeerProtocolException>(refused.Error);
        Assert.Equal("the peer closed the connection before the handshake", error.Message);
    }

    [Fact]
    public async Task AcceptAsync_HelloFrameOf278Bytes_IsNotMistakenForTls()
    {
        // The length prefix of a 278-byte Hello frame starts with 0x16, the first byte of a TLS record.
        await using var scheduler = new TestScheduler(Plain);
        var name = new string('n', 234);
        Assert.Equal(278, new ClusterEnvelope
        {
            Hello = new Hello
            {
                ProtocolVersion = ProtocolVersion.Current,
                Role = PeerRole.Node,
                Name = name,
                PeerNonce = Google.Protobuf.ByteString.CopyFrom(new byte[32]),
            },
        }.CalculateSize());

        var (stream, _) = await scheduler.ConnectAsync(Plain, PeerRole.Node, name);
        await using var _ = stream;
        var accepted = await scheduler.NextAsync();

        Assert.Null(accepted.Error);
        Assert.Equal(name, accepted.Peer!.Name);
    }

    [Fact]
    public async Task ConnectAsync_NoTls_ReturnsTheRawStream()
    {
        await using var pair = await TcpPair.CreateAsync();

        var stream = await SecureTransport.ConnectAsync(pair.Client, "127.0.0.1", Plain);

        Assert.Same(pair.Client, stream);
    }
}
