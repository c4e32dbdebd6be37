using FuncExec.Protocol.Connections;
using FuncExec.Protocol.Tests.Support;
using FuncExec.Tests.Time;
using FuncExec.Protocol.V1;
using Google.Protobuf;

namespace FuncExec.Protocol.Tests.Connections;

public sealed class HandshakeTests
{
    private static readonly TransportSecurity Secret = new("s3cret");

    [Theory]
    [InlineData(nameof(PeerRole.Node), "s3cret")]
    [InlineData(nameof(PeerRole.Client), "s3cret")]
    [InlineData(nameof(PeerRole.Node), "")]
    [InlineData(nameof(PeerRole.Client), null)]
    public async Task ConnectAsync_SameSecret_BothSidesSucceed(string roleName, string? secret)
    {
        var role = Enum.Parse<PeerRole>(roleName);
        var security = new TransportSecurity(secret);
        await using var scheduler = new TestScheduler(security);

        var (stream, result) = await scheduler.ConnectAsync(security, role, "peer-1");
        await using var _ = stream;
        var accepted = await scheduler.NextAsync();

        Assert.Null(accepted.Error);
        Assert.Equal(new PeerHello(role, "peer-1", ProtocolVersion.Current), accepted.Peer);
        Assert.Equal(TestScheduler.Name, result.SchedulerName);
        Assert.Equal(1, result.Session);
        Assert.Equal(TimeSpan.FromMilliseconds(TestScheduler.PulseIntervalMs), result.PulseInterval);
    }

    [Fact]
    public async Task ConnectAsync_StreamAfterHandshake_CarriesFramesBothWays()
    {
        await using var scheduler = new TestScheduler(Secret);
        var (stream, _) = await scheduler.ConnectAsync(Secret);
        await using var peerStream = stream;
        var accepted = await scheduler.NextAsync();

        await FrameWriter.WriteAsync(peerStream, new ClusterEnvelope { StatusRequest = new StatusRequest() });
        var request = await FrameReader.ReadAsync(accepted.Stream!, ClusterEnvelope.Parser).Within();
        await FrameWriter.WriteAsync(accepted.Stream!, new ClusterEnvelope { StatusReply = new StatusReply { Queued = 3 } });
        var reply = await FrameReader.ReadAsync(peerStream, ClusterEnvelope.Parser).Within();

        Assert.Equal(ClusterEnvelope.BodyOneofCase.StatusRequest, request!.BodyCase);
        Assert.Equal(3, reply!.StatusReply.Queued);
    }

    [Theory]
    [InlineData("other")]
    [InlineData("")]
    public async Task ConnectAsync_WrongSecret_BothSidesThrowAuthenticationFailed(string peerSecret)
    {
        await using var scheduler = new TestScheduler(Secret);

        var peerError = await Assert.ThrowsAsync<AuthenticationFailedException>(
            () => scheduler.ConnectAsync(new TransportSecurity(peerSecret), PeerRole.Node, "n1"));
        var accepted = await scheduler.NextAsync();

        Assert.Equal("the scheduler 'sched' does not know our secret (wrong --secret on one side)", peerError.Message);
        var schedulerError = Assert.IsType<AuthenticationFailedException>(accepted.Error);
        Assert.Equal("the node 'n1' does not know our secret (wrong --secret on one side)", schedulerError.Message);
    }

    [Fact]
    public async Task ConnectAsync_PeerOnNewerVersion_RefusedWithReasonOnBothSides()
    {
        await using var scheduler = new TestScheduler(Secret);
        var raw = await TcpPair.ConnectAsync(scheduler.Port);

        var peerError = await Assert.ThrowsAsync<ProtocolMismatchException>(() => Handshake.ConnectAsync(
            raw, PeerRole.Client, "c1", Secret, Patience.Timeout, TimeProvider.System, ProtocolVersion.Current + 1).Within());
        var accepted = await scheduler.NextAsync();

        var reason = $"protocol version {ProtocolVersion.Current + 1}; this scheduler speaks {ProtocolVersion.Current}: "
            + "upgrade FuncExec on the scheduler 'sched'";
        Assert.Equal($"the scheduler refused this client: {reason}", peerError.Message);
        var schedulerError = Assert.IsType<ProtocolMismatchException>(accepted.Error);
        Assert.Equal($"refused the client 'c1': {reason}", schedulerError.Message);
    }

    [Fact]
    public async Task ConnectAsync_PeerOnOlderVersion_ToldToUpgradeThePeer()
    {
        await using var scheduler = new TestScheduler(Secret);
        var raw = await TcpPair.ConnectAsync(scheduler.Port);

        var peerError = await Assert.ThrowsAsync<ProtocolMismatchException>(() => Handshake.ConnectAsync(
            raw, PeerRole.Node, "n1", Secret, Patience.Timeout, TimeProvider.System, protocolVersion: 0).Within());
        await scheduler.NextAsync();

        Assert.EndsWith("upgrade FuncExec on the node 'n1'", peerError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcceptAsync_FirstFrameNotHello_ThrowsProtocolExceptionAndCloses()
    {
        await using var scheduler = new TestScheduler(Secret);
        await using var raw = await TcpPair.ConnectAsync(scheduler.Port);

        await FrameWriter.WriteAsync(raw, new ClusterEnvelope { Proof = new Proof { PeerProof = ByteString.CopyFromUtf8("x") } });
        var accepted = await scheduler.NextAsync();

        var error = Assert.IsType<PeerProtocolException>(accepted.Error);
        Assert.Contains("not a Hello", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await ReadToEndAsync(raw));
    }

    [Fact]
    public async Task AcceptAsync_UnknownRole_RefusesWithProtocolMismatch()
    {
        await using var scheduler = new TestScheduler(Secret);
        var raw = await TcpPair.ConnectAsync(scheduler.Port);

        var peerError = await Assert.ThrowsAsync<ProtocolMismatchException>(
            () => Handshake.ConnectAsync(raw, PeerRole.Unspecified, "x", Secret, Patience.Timeout).Within());
        var accepted = await scheduler.NextAsync();

        Assert.Contains("unknown peer role 0", peerError.Message, StringComparison.Ordinal);
        Assert.IsType<ProtocolMismatchException>(accepted.Error);
    }

    [Fact]
    public async Task AcceptAsync_WelcomeThrowsProtocolException_PeerGetsTheReason()
    {
        await using var pair = await TcpPair.CreateAsync();
        var accepting = Handshake.AcceptAsync(
            pair.Server, Secret, "sched", _ => throw new PeerProtocolException("a node named n1 is already connected"), Patience.Timeout);

        var peerError = await Assert.ThrowsAsync<PeerProtocolException>(
            () => Handshake.ConnectAsync(pair.Client, PeerRole.Node, "n1", Secret, Patience.Timeout).Within());
        var schedulerError = await Assert.ThrowsAsync<PeerProtocolException>(() => accepting.Within());

        Assert.Equal("the scheduler 'sched' refused this node: a node named n1 is already connected", peerError.Message);
        Assert.Equal("a node named n1 is already connected", schedulerError.Message);
    }

    [Fact]
    public async Task AcceptAsync_PeerSilent_TimesOutAndCloses()
    {
        await using var pair = await TcpPair.CreateAsync();
        var clock = new SignallingFakeTimeProvider();
        var accepting = Handshake.AcceptAsync(
            pair.Server, Secret, "sched", _ => new Welcome(), TimeSpan.FromSeconds(5), clock);

        await clock.TimerCreated.Within();
        clock.Advance(TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<HandshakeTimeoutException>(() => accepting.Within());
        Assert.Contains("within 5 s", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await ReadToEndAsync(pair.Client));
    }

    [Fact]
    public async Task ConnectAsync_SchedulerSilent_TimesOut()
    {
        await using var pair = await TcpPair.CreateAsync();
        var clock = new SignallingFakeTimeProvider();
        var connecting = Handshake.ConnectAsync(
            pair.Client, PeerRole.Node, "n1", Secret, TimeSpan.FromSeconds(3), clock, ProtocolVersion.Current);

        await clock.TimerCreated.Within();
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.False(connecting.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<HandshakeTimeoutException>(() => connecting.Within());
    }

    [Fact]
    public async Task ConnectAsync_SchedulerCloses_ThrowsProtocolException()
    {
        await using var pair = await TcpPair.CreateAsync();
        var connecting = Handshake.ConnectAsync(pair.Client, PeerRole.Node, "n1", Secret, Patience.Timeout);

        await FrameReader.ReadAsync(pair.Server, ClusterEnvelope.Parser).Within();
        pair.Server.Close();

        var error = await Assert.ThrowsAsync<PeerProtocolException>(() => connecting.Within());
        Assert.Equal("the scheduler closed the connection during the handshake", error.Message);
    }

    [Fact]
    public async Task ConnectAsync_CallerCancels_ThrowsOperationCanceled()
    {
        await using var pair = await TcpPair.CreateAsync();
        using var cancel = new CancellationTokenSource();
        var connecting = Handshake.ConnectAsync(pair.Client, PeerRole.Node, "n1", Secret, Patience.Timeout, cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connecting.Within());
    }

    /// <summary>Reads until the other side closes; returns what was left (0 when it closed cleanly).</summary>
    internal static async Task<int> ReadToEndAsync(Stream stream)
    {
        var total = 0;
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer).Within()) > 0)
            {
                total += read;
            }
        }
        catch (IOException)
        {
            // A reset also shows the connection closed.
        }

        return total;
    }
}
