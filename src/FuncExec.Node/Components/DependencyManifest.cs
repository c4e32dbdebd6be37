using FuncExec.Core.Functions;

namespace FuncExec.Node.Components;

/// <summary>
/// What an assembly's <c>NAME.deps.json</c> says it needs on this platform, and where each file is here, so they
/// travel with it and load on a node as they do in a published app.
/// </summary>
/// <remarks>
/// <para>The files are those <see cref="DependencyAssets.Read"/> lists, found beside the assembly (as the host
/// finds app-local assets) or else in a NuGet package folder (as it finds them for <c>dotnet run</c>, and where
/// <c>dotnet build</c> of a class library leaves them). Each travels under its path in a published app (flat by
/// file name, <c>runtimes/linux-x64/native/libe_sqlite3.so</c> for a RID-specific one), so a node's copy is laid
/// out as <c>dotnet publish</c> would lay it out.</para>
/// <para>Left out: libraries the caller says the workers have (FuncExec and what it uses; the walk does not go
/// through them either), the runtime itself, managed assets the shared frameworks have (a worker loads its
/// framework's copy whatever travels), and satellite resources (workers run with invariant globalization).
/// A file found nowhere is returned without a source, for the caller to report.</para>
/// </remarks>
internal static class DependencyManifest
{
    /// <summary>The manifest beside <paramref name="assemblyPath"/>: <c>NAME.deps.json</c>.</summary>
    public static string PathOf(string assemblyPath) => DependencyAssets.ManifestOf(assemblyPath);

    /// <summary>
    /// The files to ship with the assembly at <paramref name="assemblyPath"/>, the manifest first; empty when there
    /// is no manifest.
    /// </summary>
    /// <param name="assemblyPath">The assembly.</param>
    /// <param name="workerHas">Whether every worker has the assembly or library of this name.</param>
    /// <param name="rids">The RID and its fallbacks, most specific first.</param>
    /// <param name="packageFolders">The NuGet package folders to look in; by default
    /// <see cref="DependencyAssets.PackageFolders(string)"/>.</param>
    /// <exception cref="InvalidDataException">The manifest is not valid JSON or has no target.</exception>
    public static IReadOnlyList<DependencyFile> Assets(
        string assemblyPath, Func<string, bool> workerHas, IReadOnlyList<string> rids, IReadOnlyList<string>? packageFolders = null)
    {
        ArgumentNullException.ThrowIfNull(workerHas);
        var manifest = PathOf(assemblyPath);
        if (!File.Exists(manifest))
        {
            return [];
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(assemblyPath))!;
        var listed = DependencyAssets.Read(assemblyPath, workerHas, rids);
        packageFolders ??= DependencyAssets.PackageFolders(assemblyPath);
        var framework = FrameworkAssemblies(directory);
        var files = new List<DependencyFile> { new(Path.GetFileName(manifest), Path.GetFullPath(manifest), [manifest]) };
        var seen = new HashSet<string>(StringComparer.Ordinal) { Path.GetFileName(assemblyPath) };
        foreach (var asset in listed)
        {
            var name = Path.GetFileNameWithoutExtension(asset.Name);
            if ((asset.Managed && framework.Contains(name)) || workerHas(name) || !seen.Add(asset.Name))
            {
                continue;
            }

            var candidates = asset.Candidates(directory, packageFolders).ToList();
            files.Add(new DependencyFile(asset.Name, candidates.Find(File.Exists), candidates));
        }

        return files;
    }

    /// <summary>
    /// The simple names of the trusted platform assemblies this process has from outside
    /// <paramref name="directory"/> and its own folder: the shared frameworks it runs on, which the workers run on too.
    /// </summary>
    private static HashSet<string> FrameworkAssemblies(string directory)
    {
        var own = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var trusted = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty;
        foreach (var path in trusted.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var folder = Path.GetDirectoryName(path);
            if (folder != own && folder != directory)
            {
                names.Add(Path.GetFileNameWithoutExtension(path));
            }
        }

        return names;
    }
}
