using System.Net;
using FuncExec.Dashboard.Internal;
using Microsoft.AspNetCore.Http;

namespace FuncExec.Dashboard.Tests.Internal;

public sealed class DashboardAuthTests
{
    private static readonly IPAddress Remote = IPAddress.Parse("192.0.2.10");

    [Fact]
    public void CanRead_Loopback_NeedsNoSecret()
    {
        var auth = new DashboardAuth("s3cret");

        Assert.True(auth.CanRead(Request(IPAddress.Loopback)));
        Assert.True(auth.CanRead(Request(IPAddress.IPv6Loopback)));
        Assert.True(auth.CanRead(Request(IPAddress.Loopback.MapToIPv6())));
    }

    [Fact]
    public void CanRead_OffLoopbackWithAClusterSecret_NeedsTheSecretOrTheLoginCookie()
    {
        var auth = new DashboardAuth("s3cret");

        Assert.False(auth.CanRead(Request(Remote)));
        Assert.False(auth.CanRead(Request(Remote, secret: "wrong")));
        Assert.True(auth.CanRead(Request(Remote, secret: "s3cret")));
        Assert.True(auth.CanRead(Request(Remote, cookie: auth.CookieToken)));
        Assert.False(auth.CanRead(Request(Remote, cookie: new DashboardAuth("other").CookieToken)));
        Assert.NotEqual("s3cret", auth.CookieToken);
    }

    [Fact]
    public void CanRead_OffLoopbackWithoutAClusterSecret_IsRefused() =>
        Assert.Equal(403, new DashboardAuth(null, IPAddress.Any).RefuseRead(Request(Remote))?.Status);

    [Fact]
    public void CanRead_ListeningBeyondLoopbackWithASecret_NeedsTheSecretEvenFromLoopback()
    {
        var auth = new DashboardAuth("s3cret", IPAddress.Any);

        Assert.Equal(401, auth.RefuseRead(Request(IPAddress.Loopback))?.Status);
        Assert.True(auth.CanRead(Request(IPAddress.Loopback, secret: "s3cret")));
        Assert.True(auth.CanRead(Request(Remote, cookie: auth.CookieToken)));
    }

    [Theory]
    [InlineData("127.0.0.1", 9780, true)]
    [InlineData("localhost", 1234, true)]
    [InlineData("LOCALHOST.", 9780, true)]
    [InlineData("[::1]", 9780, true)]
    [InlineData("127.0.0.2", 9780, true)]
    [InlineData("dash.example", 9780, true)]
    [InlineData("attacker.example", 9780, false)]
    [InlineData("127.0.0.1.attacker.example", 9780, false)]
    [InlineData("localhost.attacker.example", 9780, false)]
    [InlineData("192.0.2.99", 9780, false)]
    public void HostAllowed_LoopbackNamesAndConfiguredNames_OthersAreNot(string host, int port, bool allowed)
    {
        var auth = new DashboardAuth("s3cret", IPAddress.Loopback, ["Dash.Example:443"]);
        var context = Request(IPAddress.Loopback);
        context.Request.Host = new HostString(host, port);

        Assert.Equal(allowed, auth.HostAllowed(context));
    }

    [Fact]
    public void HostAllowed_TheAddressItListensOrWasReachedAt_IsAllowed()
    {
        var specific = new DashboardAuth("s3cret", IPAddress.Parse("192.0.2.5"));
        var wildcard = new DashboardAuth("s3cret", IPAddress.Any);
        var context = Request(Remote);
        context.Request.Host = new HostString("192.0.2.5", 9780);
        context.Connection.LocalIpAddress = IPAddress.Parse("192.0.2.5");

        Assert.True(specific.HostAllowed(context));
        Assert.True(wildcard.HostAllowed(context));
        context.Connection.LocalIpAddress = IPAddress.Parse("192.0.2.6");
        Assert.False(wildcard.HostAllowed(context));
    }

    [Fact]
    public void HostAllowed_NoHost_IsRefused()
    {
        var context = Request(IPAddress.Loopback);
        context.Request.Host = default;

        Assert.False(new DashboardAuth(null).HostAllowed(context));
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad host")]
    [InlineData("a/b")]
    public void NormalizeConfiguredHost_NotAHostName_Throws(string host) =>
        Assert.Throws<ArgumentException>(() => DashboardAuth.NormalizeConfiguredHost(host));

    [Fact]
    public void RefuseAction_NoClusterSecretButANonLoopbackHost_IsRefused()
    {
        var auth = new DashboardAuth(null, IPAddress.Loopback, ["dash.example"]);
        var context = Request(IPAddress.Loopback);
        context.Request.Host = new HostString("dash.example", 9780);

        Assert.Equal(403, auth.RefuseAction(context)?.Status);
        Assert.False(auth.CanActWithoutSecret(context));
    }

    [Fact]
    public void IsCrossOrigin_SecFetchSiteCrossSite_IsCrossOriginWithoutAnOrigin()
    {
        var context = Request(IPAddress.Loopback);
        context.Request.Headers["Sec-Fetch-Site"] = "cross-site";

        Assert.True(DashboardAuth.IsCrossOrigin(context.Request));
        context.Request.Headers["Sec-Fetch-Site"] = "same-origin";
        Assert.False(DashboardAuth.IsCrossOrigin(context.Request));
    }

    [Fact]
    public void RefuseAction_WithAClusterSecret_MissingIs401WrongIs403RightPasses()
    {
        var auth = new DashboardAuth("s3cret");

        Assert.Equal(401, auth.RefuseAction(Request(IPAddress.Loopback))?.Status);
        Assert.Equal(403, auth.RefuseAction(Request(IPAddress.Loopback, secret: "s3cre"))?.Status);
        Assert.Null(auth.RefuseAction(Request(IPAddress.Loopback, secret: "s3cret")));
        Assert.Null(auth.RefuseAction(Request(Remote, secret: "s3cret")));
    }

    [Fact]
    public void RefuseAction_LoginCookieWithoutTheHeader_IsRefused()
    {
        var auth = new DashboardAuth("s3cret");

        Assert.Equal(401, auth.RefuseAction(Request(Remote, cookie: auth.CookieToken))?.Status);
    }

    [Fact]
    public void RefuseAction_NoClusterSecret_AllowedFromLoopbackOnly()
    {
        var auth = new DashboardAuth(string.Empty);

        Assert.Null(auth.RefuseAction(Request(IPAddress.Loopback)));
        var refused = auth.RefuseAction(Request(Remote));
        Assert.Equal(403, refused?.Status);
        Assert.Contains("loopback only", refused?.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void RefuseAction_FromAPageOfAnotherOrigin_Is403EvenWithTheSecret()
    {
        var auth = new DashboardAuth("s3cret");
        var sameOrigin = Request(IPAddress.Loopback, secret: "s3cret", origin: "http://127.0.0.1:9780");
        var otherOrigin = Request(IPAddress.Loopback, secret: "s3cret", origin: "http://evil.example");

        Assert.Null(auth.RefuseAction(sameOrigin));
        Assert.Equal(403, auth.RefuseAction(otherOrigin)?.Status);
    }

    private static DefaultHttpContext Request(IPAddress from, string? secret = null, string? cookie = null, string? origin = null)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = from;
        context.Request.Host = new HostString("127.0.0.1", 9780);
        if (secret is not null)
        {
            context.Request.Headers[DashboardAuth.SecretHeader] = secret;
        }

        if (cookie is not null)
        {
            context.Request.Headers.Cookie = $"{DashboardAuth.Cookie}={Uri.EscapeDataString(cookie)}";
        }

        if (origin is not null)
        {
            context.Request.Headers.Origin = origin;
        }

        return context;
    }
}
