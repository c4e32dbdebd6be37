using System.Runtime.InteropServices;
using System.Text.Json;

namespace FuncExec.Core.Functions;

/// <summary>
/// What an assembly's <c>NAME.deps.json</c> lists for this platform, and where those files are: beside it, as in
/// a published app, or in a NuGet package folder, where <c>dotnet build</c> of a class library leaves them.
/// </summary>
/// <remarks>
/// <para>From the assembly's own library in the file's target, the walk follows <c>dependencies</c> and takes
/// each library's <c>runtime</c> and <c>native</c> assets and its <c>runtimeTargets</c> for the first RID of
/// <see cref="RidFallbacks"/> that has assets of that type, as the host picks them. This takes what is loaded by
/// name at run time too, such as <c>SQLitePCLRaw.batteries_v2</c>, which no assembly references. The runtime
/// itself (<c>runtimepack</c> and <c>platform</c> libraries) is never listed.</para>
/// <para>The package folders are those the host probes for <c>dotnet run</c>: the <c>additionalProbingPaths</c>
/// of a <c>NAME.runtimeconfig.dev.json</c> beside the assembly, then <c>NUGET_PACKAGES</c> when set, else
/// <c>~/.nuget/packages</c>.</para>
/// </remarks>
internal static class DependencyAssets
{
    /// <summary>The manifest beside <paramref name="assemblyPath"/>: <c>NAME.deps.json</c>.</summary>
    public static string ManifestOf(string assemblyPath) => Path.ChangeExtension(assemblyPath, ".deps.json");

    /// <summary>The RIDs this process loads native and RID-specific assets for.</summary>
    public static IReadOnlyList<string> CurrentRids { get; } = RidFallbacks(RuntimeInformation.RuntimeIdentifier);

    /// <summary>
    /// The files the manifest of the assembly at <paramref name="assemblyPath"/> lists for <paramref name="rids"/>,
    /// in walk order (a name may come twice, from two libraries); empty when it has no manifest.
    /// </summary>
    /// <param name="assemblyPath">The assembly.</param>
    /// <param name="skipLibrary">Whether to leave out, and not walk through, the library of this name.</param>
    /// <param name="rids">The RID and its fallbacks, most specific first.</param>
    /// <exception cref="InvalidDataException">The manifest is not valid JSON or has no target.</exception>
    public static IReadOnlyList<DependencyAsset> Read(string assemblyPath, Func<string, bool> skipLibrary, IReadOnlyList<string> rids)
    {
        ArgumentNullException.ThrowIfNull(skipLibrary);
        ArgumentNullException.ThrowIfNull(rids);
        var manifest = ManifestOf(assemblyPath);
        if (!File.Exists(manifest))
        {
            return [];
        }

        using var document = Parse(manifest);
        var libraries = document.RootElement.TryGetProperty("libraries", out var types) ? types : default;
        var target = Target(document.RootElement, manifest);
        var listed = new List<DependencyAsset>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(Roots(target, Path.GetFileName(assemblyPath)));
        while (pending.TryPop(out var key))
        {
            if (!visited.Add(key) || !target.TryGetProperty(key, out var library) || !Wanted(key, libraries, skipLibrary, out var packagePath))
            {
                continue;
            }

            // Platform-neutral assets sit in a published app under their file name.
            listed.AddRange(Entries(library, "runtime").Select(asset => new DependencyAsset(key, Path.GetFileName(asset.Name), packagePath, asset.Name, true)));
            listed.AddRange(Entries(library, "native").Select(asset => new DependencyAsset(key, Path.GetFileName(asset.Name), packagePath, asset.Name, false)));
            listed.AddRange(RidSpecific(library, rids).Select(asset => new DependencyAsset(key, asset.Path, packagePath, asset.Path, asset.Managed)));
            foreach (var (name, version) in Entries(library, "dependencies"))
            {
                pending.Push($"{name}/{version.GetString()}");
            }
        }

        return listed;
    }

    /// <summary>
    /// <paramref name="rid"/> and the RIDs the host falls back to from it on this operating system, most specific
    /// first: <c>linux-x64, linux, unix, any</c> (<c>linux-musl-x64, linux-musl, linux-x64, linux, unix, any</c>).
    /// </summary>
    public static IReadOnlyList<string> RidFallbacks(string rid)
    {
        ArgumentException.ThrowIfNullOrEmpty(rid);
        var arch = rid[(rid.LastIndexOf('-') + 1)..];
        var os = OperatingSystem.IsWindows() ? "win"
            : OperatingSystem.IsMacOS() ? "osx"
            : OperatingSystem.IsFreeBSD() ? "freebsd"
            : rid.StartsWith("linux-musl-", StringComparison.Ordinal) ? "linux-musl"
            : "linux";
        List<string> chain = [rid, $"{os}-{arch}", os];
        if (os == "linux-musl")
        {
            chain.AddRange([$"linux-{arch}", "linux"]);
        }

        if (os != "win")
        {
            chain.Add("unix");
        }

        chain.Add("any");
        return [.. chain.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The NuGet package folders to look in for the packages of the assembly at <paramref name="assemblyPath"/>:
    /// the <c>additionalProbingPaths</c> of its <c>NAME.runtimeconfig.dev.json</c>, then <c>NUGET_PACKAGES</c>,
    /// else <c>~/.nuget/packages</c>.
    /// </summary>
    /// <exception cref="InvalidDataException">Its <c>NAME.runtimeconfig.dev.json</c> is not valid JSON.</exception>
    public static IReadOnlyList<string> PackageFolders(string assemblyPath) =>
        PackageFolders(
            assemblyPath,
            Environment.GetEnvironmentVariable("NUGET_PACKAGES"),
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    /// <summary><see cref="PackageFolders(string)"/> with the environment given, for tests.</summary>
    internal static IReadOnlyList<string> PackageFolders(string assemblyPath, string? nugetPackages, string home)
    {
        var folders = new List<string>();
        var dev = Path.ChangeExtension(assemblyPath, ".runtimeconfig.dev.json");
        if (File.Exists(dev))
        {
            using var document = Parse(dev);
            if (document.RootElement.TryGetProperty("runtimeOptions", out var options)
                && options.TryGetProperty("additionalProbingPaths", out var paths)
                && paths.ValueKind == JsonValueKind.Array)
            {
                // Older SDKs also wrote the runtime store with |arch|/|tfm| placeholders: not a package folder.
                folders.AddRange(paths.EnumerateArray()
                    .Select(path => path.GetString())
                    .OfType<string>()
                    .Where(path => path.Length > 0 && !path.Contains('|', StringComparison.Ordinal)));
            }
        }

        folders.Add(string.IsNullOrEmpty(nugetPackages) ? Path.Combine(home, ".nuget", "packages") : nugetPackages);
        return [.. folders.Select(Path.TrimEndingDirectorySeparator).Distinct(StringComparer.Ordinal)];
    }

    private static JsonDocument Parse(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException ex)
        {
            // Said as what it is: a broken build output, not a failure of whoever reads it.
            throw new InvalidDataException($"{path} is not valid JSON: {ex.Message}", ex);
        }
    }

    private static JsonElement Target(JsonElement root, string manifest)
    {
        if (root.TryGetProperty("targets", out var targets) && targets.ValueKind == JsonValueKind.Object)
        {
            var name = root.TryGetProperty("runtimeTarget", out var runtimeTarget) && runtimeTarget.TryGetProperty("name", out var n)
                ? n.GetString()
                : null;
            if (name is not null && targets.TryGetProperty(name, out var named))
            {
                return named;
            }

            foreach (var only in targets.EnumerateObject())
            {
                return only.Value;
            }
        }

        throw new InvalidDataException($"{manifest} has no target to read dependencies from");
    }

    /// <summary>The assembly's own library (the one whose runtime asset it is); every library when none is.</summary>
    private static IEnumerable<string> Roots(JsonElement target, string fileName)
    {
        var own = target.EnumerateObject()
            .Where(library => Entries(library.Value, "runtime").Any(asset => Path.GetFileName(asset.Name) == fileName))
            .Select(library => library.Name)
            .ToList();
        return own.Count > 0 ? own : target.EnumerateObject().Select(library => library.Name);
    }

    /// <summary>
    /// Whether the library <paramref name="key"/> is walked: not the runtime, not skipped; with its folder in a
    /// package folder when it is a package (its <c>path</c>, else its key in lower case, as NuGet lays it out).
    /// </summary>
    private static bool Wanted(string key, JsonElement libraries, Func<string, bool> skipLibrary, out string? packagePath)
    {
        packagePath = null;
        var library = libraries.ValueKind == JsonValueKind.Object && libraries.TryGetProperty(key, out var l) ? l : default;
        var type = library.ValueKind == JsonValueKind.Object && library.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (type is "runtimepack" or "platform" || skipLibrary(key.Split('/')[0]))
        {
            return false;
        }

        if (type == "package")
        {
            packagePath = library.TryGetProperty("path", out var path) && path.GetString() is { Length: > 0 } listed
                ? listed
                : key.ToLowerInvariant();
        }

        return true;
    }

    /// <summary>A library's <c>runtimeTargets</c> for the first RID that has assets of each type, as the host picks them.</summary>
    private static IEnumerable<(string Path, bool Managed)> RidSpecific(JsonElement library, IReadOnlyList<string> rids)
    {
        var assets = Entries(library, "runtimeTargets")
            .Select(asset => (
                asset.Name,
                Rid: asset.Value.TryGetProperty("rid", out var rid) ? rid.GetString() : null,
                Type: asset.Value.TryGetProperty("assetType", out var type) ? type.GetString() : null))
            .ToList();
        foreach (var type in new[] { "runtime", "native" })
        {
            var ofType = assets.Where(asset => asset.Type == type).ToList();
            var best = rids.FirstOrDefault(rid => ofType.Exists(asset => asset.Rid == rid));
            foreach (var asset in ofType.Where(asset => best is not null && asset.Rid == best))
            {
                yield return (asset.Name, type == "runtime");
            }
        }
    }

    private static IEnumerable<(string Name, JsonElement Value)> Entries(JsonElement library, string section) =>
        library.ValueKind == JsonValueKind.Object && library.TryGetProperty(section, out var entries) && entries.ValueKind == JsonValueKind.Object
            ? entries.EnumerateObject().Select(entry => (entry.Name, entry.Value))
            : [];
}
