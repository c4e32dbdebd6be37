using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace FuncExec.Dashboard.Internal;

/// <summary>
/// Who may reach the dashboard, who may read and who may act.
/// <list type="bullet">
/// <item>Host: only a request whose <c>Host</c> names this dashboard (a loopback name, the address it
/// listens on or was reached at, or a configured name) is answered at all; the rest get 421. A page
/// that points its own DNS name at this machine (DNS rebinding) sends its own name as the host.</item>
/// <item>Posts from a page of another origin (<c>Origin</c> or <c>Sec-Fetch-Site</c> say so) are refused.</item>
/// <item>Reads: free while the dashboard listens on loopback only. When it listens beyond loopback,
/// every reader needs the secret (header, <c>Authorization: Bearer</c> as a Prometheus scrape config sends it, or
/// the cookie <c>/api/login</c> sets); without a cluster secret only loopback callers may read.</item>
/// <item>Actions (kill, cancel): with a secret, only a request carrying it in <c>X-FuncExec-Secret</c>;
/// without one, only a request from loopback that names a loopback host.</item>
/// </list>
/// </summary>
/// <remarks>
/// Secrets are compared as SHA-256 digests with <see cref="CryptographicOperations.FixedTimeEquals"/>,
/// so neither the secret's content nor its length leaks through timing. Actions take the secret
/// from a header only, never from the cookie: a page on another site can make a browser send a
/// cookie, but not a custom header, so a cookie alone can never kill a task.
/// </remarks>
internal sealed class DashboardAuth
{
    public const string SecretHeader = "X-FuncExec-Secret";
    public const string Cookie = "funcexec_dashboard";

    private readonly byte[]? _secretDigest;
    private readonly string? _cookieToken;
    private readonly IPAddress? _listenAddress;
    private readonly HashSet<string> _hosts;

    /// <param name="secret">The cluster secret; null or empty for none.</param>
    /// <param name="listenAddress">Where the dashboard listens (loopback when null).</param>
    /// <param name="hosts">More host names to answer to, as <see cref="DashboardOptions.Hosts"/>.</param>
    public DashboardAuth(string? secret, IPAddress? listenAddress = null, IEnumerable<string>? hosts = null)
    {
        if (!string.IsNullOrEmpty(secret))
        {
            var bytes = Encoding.UTF8.GetBytes(secret);
            _secretDigest = SHA256.HashData(bytes);
            // The cookie holds a token derived from the secret, not the secret itself.
            _cookieToken = Convert.ToBase64String(HMACSHA256.HashData(bytes, "funcexec-dashboard-read-v1"u8));
        }

        listenAddress ??= IPAddress.Loopback;
        ListensBeyondLoopback = !IPAddress.IsLoopback(listenAddress);
        _listenAddress = listenAddress.Equals(IPAddress.Any) || listenAddress.Equals(IPAddress.IPv6Any) ? null : listenAddress;
        _hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var host in hosts ?? [])
        {
            _hosts.Add(NormalizeConfiguredHost(host));
        }
    }

    public bool SecretConfigured => _secretDigest is not null;

    /// <summary>The dashboard listens on an address other machines may reach: every read needs the secret.</summary>
    public bool ListensBeyondLoopback { get; }

    public string? CookieToken => _cookieToken;

    public static bool IsLoopback(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip);

    /// <summary>Whether the request's <c>Host</c> is <c>localhost</c> or a loopback address, whatever the port.</summary>
    public static bool HostIsLoopback(HttpRequest request) => IsLoopbackName(HostName(request));

    /// <summary>A configured host name (<c>--dashboard-host</c>) as requests are matched against it: no port, no brackets, lower case.</summary>
    /// <exception cref="ArgumentException">It is not a host name or address.</exception>
    public static string NormalizeConfiguredHost(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = host.Trim();
        // "name:port" and "[v6]:port" lose the port; a bare IPv6 address keeps its colons.
        if (name.StartsWith('[') && name.IndexOf(']', StringComparison.Ordinal) is var close and > 0)
        {
            name = name[1..close];
        }
        else if (name.Count(c => c == ':') == 1)
        {
            name = name[..name.IndexOf(':', StringComparison.Ordinal)];
        }

        name = name.TrimEnd('.').ToLowerInvariant();
        if (Uri.CheckHostName(name) == UriHostNameType.Unknown)
        {
            throw new ArgumentException($"the dashboard host '{host}' is not a host name or address (--dashboard-host)", nameof(host));
        }

        return name;
    }

    /// <summary>Whether the request names this dashboard in its <c>Host</c> header.</summary>
    public bool HostAllowed(HttpContext context)
    {
        var name = HostName(context.Request);
        if (name.Length == 0)
        {
            return false;
        }

        if (IsLoopbackName(name) || _hosts.Contains(name))
        {
            return true;
        }

        // An address literal cannot be rebound: it is the address the browser connected to. Accept
        // the one the dashboard listens on, or, listening on every interface, the one it was reached at.
        if (!IPAddress.TryParse(name, out var address))
        {
            return false;
        }

        var local = context.Connection.LocalIpAddress;
        return address.Equals(_listenAddress)
            || (local is not null && (address.Equals(local) || (local.IsIPv4MappedToIPv6 && address.Equals(local.MapToIPv4()))));
    }

    /// <summary>Whether a browser sent the request from a page of another origin.</summary>
    public static bool IsCrossOrigin(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("same-origin" or "none"))
        {
            return true;
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return false; // Not a browser's cross-site request: curl, HttpClient, or a same-origin GET-style call.
        }

        return !Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            || !string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Whether the caller may read; when not, the status code and reason to answer.</summary>
    public (int Status, string Reason)? RefuseRead(HttpContext context)
    {
        if (!ListensBeyondLoopback && IsLoopback(context))
        {
            return null;
        }

        if (_secretDigest is null)
        {
            return IsLoopback(context)
                ? null
                : (StatusCodes.Status403Forbidden, "the cluster has no secret, so the dashboard shows nothing beyond this machine: start the scheduler with --secret, or reach the dashboard over loopback");
        }

        return HasSecretOrCookie(context)
            ? null
            : (StatusCodes.Status401Unauthorized, $"the dashboard listens beyond loopback, so reading needs the cluster secret: log in, or send it in {SecretHeader} or as Authorization: Bearer");
    }

    public bool CanRead(HttpContext context) => RefuseRead(context) is null;

    /// <summary>Whether the caller may kill and cancel without giving the secret (the cluster has none, and it calls from loopback by a loopback name).</summary>
    public bool CanActWithoutSecret(HttpContext context) =>
        _secretDigest is null && IsLoopback(context) && HostIsLoopback(context.Request) && !IsCrossOrigin(context.Request);

    /// <summary>Whether the request may kill or cancel; when not, the status code and reason to answer.</summary>
    public (int Status, string Reason)? RefuseAction(HttpContext context)
    {
        if (IsCrossOrigin(context.Request))
        {
            return (StatusCodes.Status403Forbidden, "actions are refused from pages of another origin");
        }

        if (_secretDigest is null)
        {
            return CanActWithoutSecret(context)
                ? null
                : (StatusCodes.Status403Forbidden, "the cluster has no secret, so kill and cancel are allowed from loopback only, at http://127.0.0.1 or http://localhost");
        }

        var given = context.Request.Headers[SecretHeader].ToString();
        if (given.Length == 0)
        {
            return (StatusCodes.Status401Unauthorized, $"kill and cancel need the cluster secret in the {SecretHeader} header");
        }

        return Matches(given) ? null : (StatusCodes.Status403Forbidden, "wrong secret");
    }

    public bool Matches(string? given) =>
        _secretDigest is not null && !string.IsNullOrEmpty(given)
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), _secretDigest);

    private static string HostName(HttpRequest request)
    {
        var host = request.Host.HasValue ? request.Host.Host : string.Empty;
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        return host.TrimEnd('.');
    }

    private static bool IsLoopbackName(string name) =>
        string.Equals(name, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address));

    private bool HasSecretOrCookie(HttpContext context) =>
        Matches(context.Request.Headers[SecretHeader].ToString())
        || Matches(BearerToken(context.Request))
        || (context.Request.Cookies.TryGetValue(Cookie, out var token) && TokenMatches(token));

    /// <summary>The credentials of an <c>Authorization: Bearer</c> header (what Prometheus's <c>authorization</c>
    /// scrape setting sends), or null. A page cannot make a browser send one to another site without its consent, as
    /// with <see cref="SecretHeader"/>; it is accepted for reads only.</summary>
    private static string? BearerToken(HttpRequest request)
    {
        var value = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        return value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? value[Scheme.Length..].Trim() : null;
    }

    private bool TokenMatches(string token) =>
        _cookieToken is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(token), Encoding.ASCII.GetBytes(_cookieToken));
}
