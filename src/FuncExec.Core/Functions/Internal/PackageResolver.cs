using System.Reflection;
using System.Runtime.Loader;

namespace FuncExec.Core.Functions.Internal;

/// <summary>
/// Resolves the dependencies of one assembly that has a <c>NAME.deps.json</c> as the host would for a program:
/// through an <see cref="AssemblyDependencyResolver"/>, which finds what sits beside it as in a published app, then
/// in the NuGet package folders, where <c>dotnet build</c> of a class library leaves its packages' files and where
/// the resolver of a component does not look.
/// </summary>
internal sealed class PackageResolver
{
    private readonly AssemblyDependencyResolver _resolver;
    private readonly Dictionary<string, string> _managed = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _native = new(StringComparer.Ordinal);

    /// <summary>Reads the manifest of the assembly at <paramref name="assemblyPath"/> and finds its files.</summary>
    /// <param name="assemblyPath">The assembly, with a <c>NAME.deps.json</c> beside it.</param>
    /// <param name="packageFolders">The package folders; by default <see cref="DependencyAssets.PackageFolders(string)"/>.</param>
    /// <exception cref="InvalidOperationException">The manifest cannot be read (from the resolver).</exception>
    /// <exception cref="InvalidDataException">The manifest cannot be read.</exception>
    public PackageResolver(string assemblyPath, IReadOnlyList<string>? packageFolders = null)
    {
        _resolver = new AssemblyDependencyResolver(assemblyPath);
        var directory = Path.GetDirectoryName(assemblyPath)!;
        packageFolders ??= DependencyAssets.PackageFolders(assemblyPath);
        foreach (var asset in DependencyAssets.Read(assemblyPath, static _ => false, DependencyAssets.CurrentRids))
        {
            // The first library to list a name wins, as the walk from the assembly's own library meets them.
            var key = asset.Managed ? Path.GetFileNameWithoutExtension(asset.Name) : Path.GetFileName(asset.Name);
            var table = asset.Managed ? _managed : _native;
            if (!table.ContainsKey(key) && asset.Locate(directory, packageFolders) is { } path)
            {
                table[key] = path;
            }
        }
    }

    /// <summary>The file of the assembly <paramref name="name"/>; null when the manifest does not list it or it is nowhere.</summary>
    public string? ResolveAssembly(AssemblyName name)
    {
        if (_resolver.ResolveAssemblyToPath(name) is { } path && File.Exists(path))
        {
            return path;
        }

        return name.Name is { } simple && _managed.TryGetValue(simple, out var found) ? found : null;
    }

    /// <summary>
    /// The file of the native library a <c>DllImport</c> or <c>NativeLibrary.Load</c> names
    /// (<c>e_sqlite3</c> for <c>libe_sqlite3.so</c>); null when the manifest does not list it or it is nowhere.
    /// </summary>
    public string? ResolveNative(string name)
    {
        if (_resolver.ResolveUnmanagedDllToPath(name) is { } path && File.Exists(path))
        {
            return path;
        }

        foreach (var candidate in NativeFileNames(name))
        {
            if (_native.TryGetValue(candidate, out var found))
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>The file names the runtime tries for a native library name on this platform, as it probes.</summary>
    private static IEnumerable<string> NativeFileNames(string name)
    {
        var suffix = OperatingSystem.IsWindows() ? ".dll" : OperatingSystem.IsMacOS() ? ".dylib" : ".so";
        yield return name;
        if (!name.EndsWith(suffix, StringComparison.Ordinal))
        {
            yield return name + suffix;
        }

        if (!OperatingSystem.IsWindows() && !name.StartsWith("lib", StringComparison.Ordinal))
        {
            yield return "lib" + name + suffix;
            yield return "lib" + name;
        }
    }
}
