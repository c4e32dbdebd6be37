using FuncExec.Protocol.Connections;
using FuncExec.Protocol.Tests.Support;
using FuncExec.Protocol.V1;

namespace FuncExec.Protocol.Tests.Connections;

/// <summary>Issue 10: a client that reattaches names itself in its Hello with a token and its reattach time.</summary>
public sealed class ClientIdentityTests
{
    [Fact]
    public void Create_Twice_TwoDifferentTokensOf32LowercaseHex()
    {
        var a = ClientIdentity.Create(TimeSpan.FromSeconds(60));
        var b = ClientIdentity.Create(TimeSpan.FromSeconds(60));

        Assert.True(ClientIdentity.IsValidToken(a.Token), a.Token);
        Assert.True(ClientIdentity.IsValidToken(b.Token), b.Token);
        Assert.NotEqual(a.Token, b.Token);
        Assert.Equal(60_000u, a.ReattachMilliseconds);
        Assert.DoesNotContain(a.Token, a.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0123456789abcdef0123456789abcde")]
    [InlineData("0123456789abcdef0123456789abcdef0")]
    [InlineData("0123456789ABCDEF0123456789abcdef")]
    [InlineData("0123456789abcdef0123456789abcdeg")]
    public void IsValidToken_NotExactly32LowercaseHex_False(string? token) => Assert.False(ClientIdentity.IsValidToken(token));

    [Fact]
    public async Task ConnectAsync_WithIdentity_HelloCarriesTokenAndReattachTime()
    {
        await using var pair = await TcpPair.CreateAsync();
        var identity = ClientIdentity.Create(TimeSpan.FromSeconds(90));

        var connecting = Handshake.ConnectAsync(pair.Client, PeerRole.Client, "c1", new TransportSecurity("s"), Patience.Timeout, identity);
        var hello = (await FrameReader.ReadAsync(pair.Server, ClusterEnvelope.Parser).Within())!.Hello;
        pair.Server.Close();

        Assert.Equal(identity.Token, hello.ClientToken);
        Assert.Equal(90_000u, hello.ReattachMs);
        await Assert.ThrowsAnyAsync<PeerProtocolException>(() => connecting.Within());
    }

    [Fact]
    public async Task ConnectAsync_WithoutIdentity_HelloHasNoToken()
    {
        await using var pair = await TcpPair.CreateAsync();

        var connecting = Handshake.ConnectAsync(pair.Client, PeerRole.Client, "c1", new TransportSecurity("s"), Patience.Timeout);
        var hello = (await FrameReader.ReadAsync(pair.Server, ClusterEnvelope.Parser).Within())!.Hello;
        pair.Server.Close();

        Assert.Equal("", hello.ClientToken);
        Assert.Equal(0u, hello.ReattachMs);
        await Assert.ThrowsAnyAsync<PeerProtocolException>(() => connecting.Within());
    }
}
