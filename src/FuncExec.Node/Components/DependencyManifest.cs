using System.Runtime.InteropServices;
using System.Text.Json;

namespace FuncExec.Node.Components;

/// <summary>
/// What an assembly's <c>NAME.deps.json</c> says it needs on this platform: the files the .NET host would
/// load for it from beside it, so they travel with it and load on a node as they do here.
/// </summary>
/// <remarks>
/// <para>From the assembly's own library in the file's target, the walk follows <c>dependencies</c> and takes
/// each library's <c>runtime</c> and <c>native</c> assets (found by file name beside the assembly, as the host
/// finds app-local assets) and its <c>runtimeTargets</c> for the first RID of <see cref="RidFallbacks"/> that has
/// assets of that type (found under their relative path, <c>runtimes/linux-x64/native/libe_sqlite3.so</c>).
/// This takes what is loaded by name at run time too, such as <c>SQLitePCLRaw.batteries_v2</c>, which no
/// assembly references.</para>
/// <para>Left out: libraries the caller says the workers have (FuncExec and what it uses; the walk does not go
/// through them either), the runtime itself (<c>runtimepack</c> and <c>platform</c> libraries), managed assets
/// the shared frameworks have (a worker loads its framework's copy whatever travels), files not beside the
/// assembly, and satellite resources (workers run with invariant globalization).</para>
/// </remarks>
internal static class DependencyManifest
{
    /// <summary>The manifest beside <paramref name="assemblyPath"/>: <c>NAME.deps.json</c>.</summary>
    public static string PathOf(string assemblyPath) => Path.ChangeExtension(assemblyPath, ".deps.json");

    /// <summary>
    /// The files to ship with the assembly at <paramref name="assemblyPath"/>, as paths relative to its folder
    /// with <c>/</c> separators, the manifest first; empty when there is no manifest.
    /// </summary>
    /// <param name="assemblyPath">The assembly.</param>
    /// <param name="workerHas">Whether every worker has the assembly or library of this name.</param>
    /// <param name="rids">The RID and its fallbacks, most specific first.</param>
    /// <exception cref="InvalidDataException">The manifest is not valid JSON or has no target.</exception>
    public static IReadOnlyList<string> Assets(string assemblyPath, Func<string, bool> workerHas, IReadOnlyList<string> rids)
    {
        ArgumentNullException.ThrowIfNull(workerHas);
        var manifest = PathOf(assemblyPath);
        if (!File.Exists(manifest))
        {
            return [];
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(assemblyPath))!;
        using var document = Parse(manifest);
        var libraries = document.RootElement.TryGetProperty("libraries", out var types) ? types : default;
        var target = Target(document.RootElement, manifest);
        var listed = new List<(string Path, bool Managed)>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(Roots(target, Path.GetFileName(assemblyPath)));
        while (pending.TryPop(out var key))
        {
            if (!visited.Add(key) || !target.TryGetProperty(key, out var library) || !Travels(key, libraries, workerHas))
            {
                continue;
            }

            // App-local assets that are not RID-specific sit beside the assembly under their file name.
            listed.AddRange(Entries(library, "runtime").Select(asset => (Path.GetFileName(asset.Name), true)));
            listed.AddRange(Entries(library, "native").Select(asset => (Path.GetFileName(asset.Name), false)));
            listed.AddRange(RidSpecific(library, rids));
            foreach (var (name, version) in Entries(library, "dependencies"))
            {
                pending.Push($"{name}/{version.GetString()}");
            }
        }

        var framework = FrameworkAssemblies(directory);
        var found = listed
            .Where(asset => !(asset.Managed && framework.Contains(Path.GetFileNameWithoutExtension(asset.Path)))
                && !workerHas(Path.GetFileNameWithoutExtension(asset.Path))
                && asset.Path != Path.GetFileName(assemblyPath)
                && File.Exists(Path.Combine(directory, asset.Path)))
            .Select(asset => asset.Path)
            .Distinct(StringComparer.Ordinal);
        return [Path.GetFileName(manifest), .. found];
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

    /// <summary>The RIDs this process loads native and RID-specific assets for.</summary>
    public static IReadOnlyList<string> CurrentRids { get; } = RidFallbacks(RuntimeInformation.RuntimeIdentifier);

    private static JsonDocument Parse(string manifest)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(manifest));
        }
        catch (JsonException ex)
        {
            // Said as what it is: a broken build output, not a failure of the component store.
            throw new InvalidDataException($"{manifest} is not valid JSON: {ex.Message}", ex);
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

    private static bool Travels(string key, JsonElement libraries, Func<string, bool> workerHas)
    {
        var type = libraries.ValueKind == JsonValueKind.Object
            && libraries.TryGetProperty(key, out var library)
            && library.TryGetProperty("type", out var t)
                ? t.GetString()
                : null;
        return type is not ("runtimepack" or "platform") && !workerHas(key.Split('/')[0]);
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
