using System.Collections.Concurrent;
using System.Reflection;

namespace FuncExec.Core.Functions.Internal;

/// <summary>
/// Finds a type by its full name in a given assembly, the loaded assemblies and the framework,
/// and lists the public types of a namespace for suggestions.
/// </summary>
/// <remarks>
/// A framework assembly is loaded only when its name is the type's full name or a prefix of its
/// namespace (<c>System.Linq.Enumerable</c> tries <c>System.Linq</c>, then <c>System</c>), so a lookup
/// never loads the whole framework. A type in an assembly whose name is not such a prefix is found only
/// once that assembly is loaded.
/// </remarks>
internal sealed class TypeLocator
{
    private readonly ConcurrentDictionary<(Assembly? Assembly, string Name), Type> _found = new();

    /// <summary>The type, or null. Dots may stand for the <c>+</c> of nested types: <c>A.Outer.Inner</c>.</summary>
    public Type? Find(string name, Assembly? assembly)
    {
        if (_found.TryGetValue((assembly, name), out var type))
        {
            return type;
        }

        // A miss is not remembered: the assembly that holds the type may be loaded later. Nor is a
        // collectible type: the cache would keep its load context from unloading.
        type = FindUncached(name, assembly);
        return type is null || type.IsCollectible || assembly?.IsCollectible == true ? type : _found.GetOrAdd((assembly, name), type);
    }

    /// <summary>The full names of the public, non-generic top-level types of <paramref name="ns"/> in the searched assemblies.</summary>
    public static IEnumerable<string> TypesInNamespace(string ns, Assembly? assembly)
    {
        var assemblies = new List<Assembly>();
        if (assembly is not null)
        {
            assemblies.Add(assembly);
        }

        assemblies.AddRange(AppDomain.CurrentDomain.GetAssemblies());
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var candidate in assemblies)
        {
            foreach (var type in ExportedTypes(candidate))
            {
                if (!type.IsNested && !type.IsGenericTypeDefinition && string.Equals(type.Namespace, ns, StringComparison.Ordinal))
                {
                    names.Add(type.FullName!);
                }
            }
        }

        return names;
    }

    private static Type? FindUncached(string name, Assembly? assembly)
    {
        // "A.B.C" may be type C in namespace A.B, or C nested in B: replace dots with '+' from the right.
        var candidate = name;
        while (true)
        {
            if (FindExact(candidate, assembly) is { } type)
            {
                return type;
            }

            var dot = candidate.LastIndexOf('.');
            if (dot <= 0)
            {
                return null;
            }

            candidate = string.Concat(candidate.AsSpan(0, dot), "+", candidate.AsSpan(dot + 1));
        }
    }

    private static Type? FindExact(string name, Assembly? assembly)
    {
        if (assembly?.GetType(name, throwOnError: false) is { } inGiven)
        {
            return inGiven;
        }

        if (GetType(name) is { } inCoreLib)
        {
            return inCoreLib;
        }

        foreach (var loaded in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (loaded.GetType(name, throwOnError: false) is { } inLoaded)
            {
                return inLoaded;
            }
        }

        // Guess the framework assembly from the name: the top-level type's full name itself
        // (System.Web.HttpUtility), then its namespace trimmed from the right (System.Linq, System).
        var plus = name.IndexOf('+', StringComparison.Ordinal);
        var guess = plus < 0 ? name : name[..plus];
        while (true)
        {
            if (TrustedPlatform.Contains(guess) && GetType(name + ", " + guess) is { } inFramework)
            {
                return inFramework;
            }

            var dot = guess.LastIndexOf('.');
            if (dot <= 0)
            {
                return null;
            }

            guess = guess[..dot];
        }
    }

    private static Type? GetType(string name)
    {
        try
        {
            return Type.GetType(name, throwOnError: false);
        }
        catch (Exception ex) when (ex is FileLoadException or BadImageFormatException or ArgumentException)
        {
            // An assembly named like the namespace that cannot load does not hold the type.
            return null;
        }
    }

    private static Type[] ExportedTypes(Assembly assembly)
    {
        if (assembly.IsDynamic)
        {
            return [];
        }

        try
        {
            return assembly.GetExportedTypes();
        }
        catch (Exception ex) when (ex is NotSupportedException or FileNotFoundException or FileLoadException or ReflectionTypeLoadException)
        {
            return [];
        }
    }
}
