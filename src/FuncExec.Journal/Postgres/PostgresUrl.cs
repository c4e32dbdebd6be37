using System.Globalization;
using FuncExec.Scheduler.Journal;
using Npgsql;

namespace FuncExec.Journal.Postgres;

/// <summary>
/// Reads <c>postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=MODE</c> (or <c>postgresql://</c>) into Npgsql's
/// connection settings. USER and PASSWORD are percent-decoded (write <c>%40</c> for an <c>@</c> in a password); PORT
/// defaults to 5432; a password left out is taken by Npgsql from <c>PGPASSWORD</c> or <c>~/.pgpass</c>, which keeps
/// it off the command line.
/// </summary>
/// <remarks>The password never appears in an error or in <see cref="Describe"/>: a command line is visible to
/// everyone on the machine, but logs and status outlive it.</remarks>
internal static class PostgresUrl
{
    /// <summary>PostgreSQL's port when the URL names none.</summary>
    public const int DefaultPort = 5432;

    private const string Shape = "write postgres://USER:PASSWORD@HOST:PORT/DATABASE (PORT 5432 when left out; sslmode=MODE may follow after '?')";

    /// <summary>Whether <paramref name="text"/> starts like a PostgreSQL URL.</summary>
    public static bool IsPostgres(string text) =>
        text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses the URL.</summary>
    /// <exception cref="JournalException">It is not a PostgreSQL URL of that shape; the message says which part is wrong (and never repeats the password).</exception>
    public static NpgsqlConnectionStringBuilder Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!IsPostgres(url))
        {
            throw Malformed("it does not start with postgres:// or postgresql://");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw Malformed("it names no host, its port is not a number from 1 to 65535, or a character in it must be percent-encoded (an '@', ':' or '/' in the password is written %40, %3A, %2F)");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.IdnHost,
            Port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port,
        };

        var userInfo = uri.UserInfo;
        if (userInfo.Length > 0)
        {
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            var user = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
            if (user.Length == 0)
            {
                throw Malformed("the user name before '@' is empty");
            }

            builder.Username = user;
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(userInfo[(colon + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length == 0 || database.Contains('/', StringComparison.Ordinal))
        {
            throw Malformed("it names no database (the part after the last '/')");
        }

        builder.Database = database;
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            if (!string.Equals(key, "sslmode", StringComparison.OrdinalIgnoreCase))
            {
                throw Malformed($"'{key}' after '?' is not understood; only sslmode is");
            }

            builder.SslMode = value.ToLowerInvariant() switch
            {
                "disable" => SslMode.Disable,
                "allow" => SslMode.Allow,
                "prefer" => SslMode.Prefer,
                "require" => SslMode.Require,
                "verify-ca" => SslMode.VerifyCA,
                "verify-full" => SslMode.VerifyFull,
                _ => throw Malformed($"sslmode={value} is not one of disable, allow, prefer, require, verify-ca, verify-full"),
            };
        }

        return builder;
    }

    /// <summary>For logs and status: <c>postgres HOST:PORT/DATABASE</c>, without user or password.</summary>
    public static string Describe(NpgsqlConnectionStringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var host = builder.Host ?? string.Empty;
        if (host.Contains(':', StringComparison.Ordinal))
        {
            host = $"[{host}]";
        }

        return string.Create(CultureInfo.InvariantCulture, $"postgres {host}:{builder.Port}/{builder.Database}");
    }

    private static JournalException Malformed(string problem) =>
        new($"--journal is not a PostgreSQL URL FuncExec can use: {problem}; {Shape}");
}
