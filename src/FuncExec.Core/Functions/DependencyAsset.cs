namespace FuncExec.Core.Functions;

/// <summary>
/// One file an assembly's <c>NAME.deps.json</c> lists for this platform: where it sits in a published app and
/// where in its NuGet package.
/// </summary>
/// <param name="Library">The library that lists it, as <c>Name/version</c>.</param>
/// <param name="Name">Its path in a published app's folder, with <c>/</c> separators: the file name of a platform-neutral
/// asset (<c>Microsoft.Data.Sqlite.dll</c>), the listed path of a RID-specific one
/// (<c>runtimes/linux-x64/native/libe_sqlite3.so</c>).</param>
/// <param name="PackagePath">The library's folder in a NuGet package folder, lower-case as NuGet writes it
/// (<c>microsoft.data.sqlite.core/10.0.11</c>); null for a library that is not a package (a project).</param>
/// <param name="AssetPath">Its path inside that folder, as the manifest lists it (<c>lib/net8.0/Microsoft.Data.Sqlite.dll</c>).</param>
/// <param name="Managed">Whether it is an assembly rather than a native library.</param>
internal sealed record DependencyAsset(string Library, string Name, string? PackagePath, string AssetPath, bool Managed)
{
    /// <summary>
    /// Where the host would look for it, in order: beside the assembly in <paramref name="directory"/> under
    /// <see cref="Name"/>, then <c>FOLDER/PackagePath/AssetPath</c> in each of <paramref name="packageFolders"/>.
    /// </summary>
    public IEnumerable<string> Candidates(string directory, IReadOnlyList<string> packageFolders)
    {
        ArgumentNullException.ThrowIfNull(packageFolders);
        yield return Path.Combine(directory, Name);
        if (PackagePath is null)
        {
            yield break;
        }

        foreach (var folder in packageFolders)
        {
            yield return Path.Combine(folder, PackagePath, AssetPath);
        }
    }

    /// <summary>The first of <see cref="Candidates"/> that exists; null when none does.</summary>
    public string? Locate(string directory, IReadOnlyList<string> packageFolders) =>
        Candidates(directory, packageFolders).FirstOrDefault(File.Exists);
}
