using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;

namespace FuncExec.Cli.SshCluster;

/// <summary>
/// The funcexec build running now: the folder it runs from (<see cref="AppContext.BaseDirectory"/>,
/// the published folder), and an id naming its contents, under which <c>--install</c> keeps it on a host.
/// </summary>
internal sealed class LocalBuild
{
    private readonly Lazy<string> _id;

    public LocalBuild(string directory)
    {
        Directory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        _id = new Lazy<string>(ComputeId);
    }

    /// <summary>The build folder here.</summary>
    public string Directory { get; }

    /// <summary>This build's <c>funcexec.dll</c>.</summary>
    public string FuncexecDll => Path.Combine(Directory, "funcexec.dll");

    /// <summary>
    /// <c>VERSION-HASH</c>: the version, then 12 hex digits of a SHA-256 over every file's path and
    /// content, so two builds of one version never share a folder on a host and one build always finds its own.
    /// </summary>
    public string Id => _id.Value;

    /// <summary>The build that runs this process.</summary>
    public static LocalBuild Current() => new(AppContext.BaseDirectory);

    /// <summary>Writes the build folder as a tar stream (modes kept, so the apphosts stay executable).</summary>
    public Task WriteTarAsync(Stream destination, CancellationToken cancellationToken = default) =>
        TarFile.CreateFromDirectoryAsync(Directory, destination, includeBaseDirectory: false, cancellationToken);

    /// <summary>The size of the build folder in bytes.</summary>
    public long Size() => Files().Sum(f => new FileInfo(f).Length);

    private IEnumerable<string> Files() =>
        System.IO.Directory.EnumerateFiles(Directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    private string ComputeId()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        foreach (var file in Files())
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(Directory, file) + "\0"));
            using var stream = File.OpenRead(file);
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }

        var version = typeof(LocalBuild).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        return $"{version}-{Convert.ToHexStringLower(hash.GetHashAndReset())[..12]}";
    }
}
