namespace FuncExec.Node.Components;

/// <summary>
/// The names of a component's files in a bundle: paths relative to the component's folder, <c>/</c>-separated
/// (<c>runtimes/linux-x64/native/libe_sqlite3.so</c>), that never leave it. A bundle comes from another
/// machine, so each name is checked before anything is written.
/// </summary>
internal static class ComponentPath
{
    /// <summary>The bundle name of <paramref name="file"/>, a file inside <paramref name="directory"/>.</summary>
    public static string NameOf(string directory, string file) =>
        Path.GetRelativePath(directory, file).Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>
    /// Where the files named <paramref name="names"/> go in <paramref name="directory"/>, after checking that each
    /// name is a relative path inside it and that no file stands where another needs a folder.
    /// </summary>
    /// <exception cref="InvalidDataException">A name is empty, absolute, has a <c>..</c>, <c>.</c> or empty segment,
    /// a backslash or a NUL, leaves <paramref name="directory"/>, or needs a folder where there is a file.</exception>
    public static IReadOnlyList<string> Resolve(string directory, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var targets = names.Select(name => (Name: name, Path: Resolve(root, name))).ToList();
        var files = targets.Select(t => t.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, path) in targets)
        {
            for (var parent = Path.GetDirectoryName(path)!; parent != root; parent = Path.GetDirectoryName(parent)!)
            {
                if (files.Contains(parent) || File.Exists(parent))
                {
                    throw new InvalidDataException($"component file '{name}' needs a folder where the component has a file");
                }
            }

            if (Directory.Exists(path))
            {
                throw new InvalidDataException($"component file '{name}' names a folder of the component");
            }
        }

        return [.. targets.Select(t => t.Path)];
    }

    private static string Resolve(string root, string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new InvalidDataException("a component file has an empty name");
        }

        if (name.Contains('\\', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new InvalidDataException($"component file name '{name}' has a backslash or a NUL; a bundle names its files by '/'-separated relative paths");
        }

        if (Path.IsPathRooted(name))
        {
            throw new InvalidDataException($"component file name '{name}' is an absolute path; a bundle names its files relative to the component's folder");
        }

        if (name.Split('/').Any(segment => segment is "" or "." or ".."))
        {
            throw new InvalidDataException($"component file name '{name}' has an empty, '.' or '..' segment; a bundle's files stay inside the component's folder");
        }

        // The checks above already keep it inside; this is the guarantee the store relies on, said once.
        var full = Path.GetFullPath(Path.Combine(root, name));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"component file name '{name}' leaves the component's folder");
        }

        return full;
    }
}
