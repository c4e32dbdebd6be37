using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;

namespace FuncExec.Core.Functions;

/// <summary>
/// Loads user assemblies by path so that the assemblies they reference resolve from the
/// same folder, as they would in the user's own program.
/// </summary>
public static class UserAssemblies
{
    private static readonly ConcurrentDictionary<string, Assembly> Loaded = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, byte> Folders = new(StringComparer.Ordinal);
    private static int _hooked;

    /// <summary>Loads the assembly at <paramref name="path"/> (once per path) into the default context.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public static Assembly Load(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"assembly {full} does not exist", full);
        }

        return Loaded.GetOrAdd(full, static p =>
        {
            Folders.TryAdd(Path.GetDirectoryName(p)!, 0);
            if (Interlocked.Exchange(ref _hooked, 1) == 0)
            {
                AssemblyLoadContext.Default.Resolving += Resolve;
            }

            return AssemblyLoadContext.Default.LoadFromAssemblyPath(p);
        });
    }

    private static Assembly? Resolve(AssemblyLoadContext context, AssemblyName name)
    {
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
}
