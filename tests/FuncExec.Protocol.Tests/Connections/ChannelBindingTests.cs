using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.Tests.Support;
using FuncExec.Protocol.V1;

namespace FuncExec.Protocol.Tests.Connections;

/// <summary>
/// The handshake's proofs cover the scheduler's TLS certificate as each side sees it, so a peer
/// may accept a certificate it was not told to pin: only a scheduler that knows the secret, on
/// that very TLS connection, can answer.
/// </summary>
public sealed class ChannelBindingTests(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    private TransportSecurity SchedulerTls => new("s3cret", certificates.CertFile, certificates.KeyFile);

    /// <summary>A peer beyond loopback without --certfile: TLS, any certificate, the secret.</summary>
    private static TransportSecurity Unpinned => new("s3cret");

    [Theory]
    [InlineData(nameof(PeerRole.Node))]
    [InlineData(nameof(PeerRole.Client))]
    public async Task Handshake_UnpinnedTlsSameSecret_BothSidesSucceedOverTls(string roleName)
    {
        var role = Enum.Parse<PeerRole>(roleName);
        await using var scheduler = new TestScheduler(SchedulerTls);

        var (stream, result) = await scheduler.ConnectAsync(Unpinned, role, "p1", tls: true);
        await using var _ = stream;
        var accepted = await scheduler.NextAsync();

        Assert.Null(accepted.Error);
        Assert.Equal(TestScheduler.Name, result.SchedulerName);
        Assert.True(Assert.IsType<SslStream>(stream).IsEncrypted);
        Assert.True(Assert.IsType<SslStream>(accepted.Stream).IsEncrypted);
    }

    [Fact]
    public async Task Handshake_UnpinnedTlsWrongSecret_BothSidesThrowAuthenticationFailed()
    {
        await using var scheduler = new TestScheduler(SchedulerTls);

        var error = await Assert.ThrowsAsync<AuthenticationFailedException>(
            () => scheduler.ConnectAsync(Unpinned with { Secret = "guess" }, tls: true));
        var accepted = await scheduler.NextAsync();

        Assert.Contains("secret", error.Message, StringComparison.Ordinal);
        Assert.IsType<AuthenticationFailedException>(accepted.Error);
    }

    [Fact]
    public async Task Handshake_RelayWithItsOwnCertificate_BothSidesThrowAuthenticationFailed()
    {
        await using var scheduler = new TestScheduler(SchedulerTls);
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var relay = RelayAsync(listener, scheduler.Port);

        // The peer knows the secret and accepts any certificate; so does the relay's leg to the
        // scheduler. Every frame passes through unchanged: only the certificates differ.
        var raw = await TcpPair.ConnectAsync(((IPEndPoint)listener.LocalEndPoint!).Port);
        var stream = await SecureTransport.ConnectAsync(raw, "127.0.0.1", Unpinned, useTls: true).Within();
        var error = await Assert.ThrowsAsync<AuthenticationFailedException>(
            () => Handshake.ConnectAsync(stream, PeerRole.Client, "c1", Unpinned, Patience.Timeout).Within());
        var accepted = await scheduler.NextAsync();
        await relay.Within();

        Assert.Contains("relays the connection with another TLS certificate", error.Message, StringComparison.Ordinal);
        Assert.IsType<AuthenticationFailedException>(accepted.Error);
    }

    [Fact]
    public async Task AcceptAsync_PlainPeerOnLoopbackWhenLoopbackMayBePlain_HandshakeSucceedsInPlainText()
    {
        await using var scheduler = new TestScheduler(SchedulerTls with { PlainText = PlainTextPeers.Loopback });

        var (stream, _) = await scheduler.ConnectAsync(Unpinned);
        await using var _ = stream;
        var accepted = await scheduler.NextAsync();

        Assert.Null(accepted.Error);
        Assert.IsNotType<SslStream>(stream);
        Assert.IsNotType<SslStream>(accepted.Stream);
    }

    [Fact]
    public async Task AcceptAsync_PlainPeerBeyondLoopbackWhenLoopbackMayBePlain_BothSidesThrowTlsMismatch()
    {
        await using var pair = await TcpPair.CreateAsync();
        var security = SchedulerTls with { PlainText = PlainTextPeers.Loopback };
        var beyond = new IPEndPoint(IPAddress.Parse("192.0.2.7"), 40000);

        var accepting = SecureTransport.AcceptAsync(pair.Server, security, beyond);
        var peerError = await Assert.ThrowsAsync<TlsMismatchException>(
            () => Handshake.ConnectAsync(pair.Client, PeerRole.Node, "n1", Unpinned, Patience.Timeout).Within());
        var schedulerError = await Assert.ThrowsAsync<TlsMismatchException>(() => accepting.Within());

        Assert.Contains("TLS", peerError.Message, StringComparison.Ordinal);
        Assert.Contains("plain-text peer", schedulerError.Message, StringComparison.Ordinal);
    }

    /// <summary>Accepts one peer with the impostor's certificate and relays its bytes to the scheduler over TLS of its own.</summary>
    private async Task RelayAsync(Socket listener, int schedulerPort)
    {
        var victim = await listener.AcceptAsync().Within();
        await using var toPeer = await SecureTransport.AcceptAsync(
            new NetworkStream(victim, ownsSocket: true), new TransportSecurity(null, certificates.OtherCertFile, certificates.OtherKeyFile)).Within();
        await using var toScheduler = await SecureTransport.ConnectAsync(
            await TcpPair.ConnectAsync(schedulerPort), "127.0.0.1", new TransportSecurity(), useTls: true).Within();
        var up = toPeer.CopyToAsync(toScheduler);
        var down = toScheduler.CopyToAsync(toPeer);
        try
        {
            // The peer hangs up after its (empty) proof, which by then has been passed on.
            await up;
        }
        catch (IOException)
        {
            // One leg closed under the copy: the relay is over either way.
        }

        await toScheduler.DisposeAsync();
        await toPeer.DisposeAsync();
        await Task.WhenAny(down);
    }
}
