using System.Reflection;
using System.Runtime.Loader;

namespace FuncExec.Core.Functions.Lambdas;

/// <summary>Resolves the assembly-qualified type names a <see cref="LambdaCall"/> carries, in the worker.</summary>
/// <remarks>
/// An assembly is matched by simple name before its version is considered: a worker may run a newer
/// patch of the framework than the client, and a user assembly loaded from a path is already loaded
/// under the name the client wrote.
/// </remarks>
internal static class QualifiedTypeResolver
{
    /// <summary>The type, or null when it or its assembly cannot be found.</summary>
    public static Type? Resolve(string name, Assembly? assembly)
    {
        try
        {
            return Type.GetType(
                name,
                assemblyName => FindAssembly(assemblyName, assembly),
                (found, typeName, ignoreCase) => found?.GetType(typeName, throwOnError: false, ignoreCase)
                    ?? Type.GetType(typeName, throwOnError: false, ignoreCase)
                    ?? assembly?.GetType(typeName, throwOnError: false, ignoreCase),
                throwOnError: false);
        }
        catch (Exception ex) when (ex is FileLoadException or BadImageFormatException or ArgumentException or TypeLoadException)
        {
            // A malformed name or an assembly that cannot load: the type is not here.
            return null;
        }
    }

    private static Assembly? FindAssembly(AssemblyName name, Assembly? given)
    {
        if (given is not null && string.Equals(given.GetName().Name, name.Name, StringComparison.OrdinalIgnoreCase))
        {
            return given;
        }

        // An assembly of a computation's own load context sees its dependencies as that context
        // resolves them, not whichever copy some other context loaded first.
        if (given is not null && AssemblyLoadContext.GetLoadContext(given) is { } context && context != AssemblyLoadContext.Default
            && TryLoad(context, name) is { } fromContext)
        {
            return fromContext;
        }

        // Another computation's copy is never this call's: skip collectible assemblies.
        foreach (var loaded in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (!loaded.IsCollectible && string.Equals(loaded.GetName().Name, name.Name, StringComparison.OrdinalIgnoreCase))
            {
                return loaded;
            }
        }

        try
        {
            return Assembly.Load(new AssemblyName(name.Name!));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private static Assembly? TryLoad(AssemblyLoadContext context, AssemblyName name)
    {
        try
        {
            return context.LoadFromAssemblyName(new AssemblyName(name.Name!));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }
}
