using System.Reflection;
using System.Security.Cryptography;

namespace FuncExec.Dashboard.Internal;

/// <summary>The page, its script and style, and the vendored chart library, read once from the
/// assembly's embedded resources (named by their path under <c>wwwroot/</c>).</summary>
internal sealed class StaticAssets
{
    private const string Prefix = "wwwroot/";

    private readonly Dictionary<string, Asset> _assets = new(StringComparer.Ordinal);

    public StaticAssets()
    {
        var assembly = typeof(StaticAssets).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 8))}\"";
            _assets[name[Prefix.Length..]] = new Asset(bytes, ContentType(name), etag);
        }
    }

    public Asset? Find(string path) => _assets.GetValueOrDefault(path);

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        _ => "text/plain; charset=utf-8",
    };

    /// <summary>One file: its bytes, content type and entity tag.</summary>
    internal sealed record Asset(byte[] Content, string ContentType, string ETag);
}
