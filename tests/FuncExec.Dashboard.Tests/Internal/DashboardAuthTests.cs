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
    public void CanRead_OffLoopbackWithoutAClusterSecret_IsOpen() =>
        Assert.True(new DashboardAuth(null).CanRead(Request(Remote)));

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
