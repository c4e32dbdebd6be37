namespace FuncExec.Core.Functions.Internal;

/// <summary>The trusted platform assemblies the host gave this process: the framework and the application's own.</summary>
internal static class TrustedPlatform
{
    private static readonly Lazy<string[]> LazyPaths = new(ReadPaths);
    private static readonly Lazy<HashSet<string>> LazyNames = new(ReadNames);

    /// <summary>Every trusted assembly's path.</summary>
    public static IReadOnlyList<string> Paths => LazyPaths.Value;

    /// <summary>True when a trusted assembly has this simple name, e.g. <c>System.Linq</c>.</summary>
    public static bool Contains(string assemblyName) => LazyNames.Value.Contains(assemblyName);

    private static string[] ReadPaths() =>
        (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);

    private static HashSet<string> ReadNames()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in LazyPaths.Value)
        {
            names.Add(Path.GetFileNameWithoutExtension(path));
        }

        return names;
    }
}
