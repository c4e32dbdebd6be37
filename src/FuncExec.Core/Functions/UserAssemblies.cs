using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using FuncExec.Core.Functions.Internal;

namespace FuncExec.Core.Functions;

/// <summary>
/// Loads user assemblies by path so that what they depend on resolves as it would in the user's own program.
/// </summary>
/// <remarks>
/// A dependency of an assembly loaded here resolves, in order: through the <c>NAME.deps.json</c> of the assemblies
/// loaded here that have one, managed and native, from beside them as in a published app or else from the NuGet
/// package folder (where <c>dotnet build</c> of a class library leaves its packages); then, managed only, from
/// the folders of the assemblies loaded here.
/// </remarks>
internal static class UserAssemblies
{
    private static readonly ConcurrentDictionary<string, Assembly> Loaded = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, byte> Folders = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, PackageResolver> Resolvers = new(StringComparer.Ordinal);
    private static int _hooked;

    /// <summary>Loads the assembly at <paramref name="path"/> (once per path) into the default context.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">Its <c>NAME.deps.json</c> cannot be read.</exception>
    /// <exception cref="InvalidOperationException">Its <c>NAME.deps.json</c> cannot be read (said by the runtime's resolver).</exception>
    public static Assembly Load(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"assembly {full} does not exist", full);
        }

        return Loaded.GetOrAdd(full, static p =>
        {
            if (File.Exists(DependencyAssets.ManifestOf(p)))
            {
                Resolvers.TryAdd(p, new PackageResolver(p));
            }

            Folders.TryAdd(Path.GetDirectoryName(p)!, 0);
            if (Interlocked.Exchange(ref _hooked, 1) == 0)
            {
                AssemblyLoadContext.Default.Resolving += Resolve;
                AssemblyLoadContext.Default.ResolvingUnmanagedDll += ResolveNative;
            }

            return AssemblyLoadContext.Default.LoadFromAssemblyPath(p);
        });
    }

    private static Assembly? Resolve(AssemblyLoadContext context, AssemblyName name)
    {
        foreach (var resolver in Resolvers.Values)
        {
            if (resolver.ResolveAssembly(name) is { } path)
            {
                return context.LoadFromAssemblyPath(path);
            }
        }

        foreach (var folder in Folders.Keys)
        {
            var candidate = Path.Combine(folder, name.Name + ".dll");
            if (File.Exists(candidate))
            {
                return context.LoadFromAssemblyPath(candidate);
            }
        }

        return null;
    }

    private static IntPtr ResolveNative(Assembly assembly, string name)
    {
        foreach (var resolver in Resolvers.Values)
        {
            if (resolver.ResolveNative(name) is { } path)
            {
                return NativeLibrary.Load(path);
            }
        }

        // The runtime's own search has failed already: it reports the library as not found.
        return IntPtr.Zero;
    }
}
