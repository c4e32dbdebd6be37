using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace FuncExec.Dashboard.Internal;

/// <summary>
/// Who may read and who may act. Reads: anyone on loopback; elsewhere, anyone when the cluster has
/// no secret, else whoever gives it (header, or the cookie <c>/api/login</c> sets). Actions (kill,
/// cancel): with a secret, only a request carrying it in <c>X-FuncExec-Secret</c>; without one, only
/// a request from loopback. Actions from another origin are refused either way.
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

    public DashboardAuth(string? secret)
    {
        if (!string.IsNullOrEmpty(secret))
        {
            var bytes = Encoding.UTF8.GetBytes(secret);
            _secretDigest = SHA256.HashData(bytes);
            // The cookie holds a token derived from the secret, not the secret itself.
            _cookieToken = Convert.ToBase64String(HMACSHA256.HashData(bytes, "funcexec-dashboard-read-v1"u8));
        }
    }

    public bool SecretConfigured => _secretDigest is not null;

    public string? CookieToken => _cookieToken;

    public static bool IsLoopback(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip);

    public bool CanRead(HttpContext context) =>
        IsLoopback(context) || _secretDigest is null || Matches(context.Request.Headers[SecretHeader].ToString())
        || (context.Request.Cookies.TryGetValue(Cookie, out var token) && TokenMatches(token));

    /// <summary>Whether the request may kill or cancel; when not, the status code and reason to answer.</summary>
    public (int Status, string Reason)? RefuseAction(HttpContext context)
    {
        if (IsCrossOrigin(context.Request))
        {
            return (StatusCodes.Status403Forbidden, "actions are refused from pages of another origin");
        }

        if (_secretDigest is null)
        {
            return IsLoopback(context)
                ? null
                : (StatusCodes.Status403Forbidden, "the cluster has no secret, so kill and cancel are allowed from loopback only");
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

    private bool TokenMatches(string token) =>
        _cookieToken is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(token), Encoding.ASCII.GetBytes(_cookieToken));

    private static bool IsCrossOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return false; // Not a browser's cross-site request: curl, HttpClient, or a same-origin GET-style call.
        }

        return !Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            || !string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}
