using System.Diagnostics;

namespace FuncExec.Packaging.Tests;

/// <summary>
/// FuncExec's packages, packed once for all these tests into a temporary folder, under a version
/// no other run uses (<c>0.2.0-test.rXXXXXXXX</c>): NuGet's global package cache, which never
/// looks at a version again once it holds it, cannot serve an old copy. Those versions leave the
/// cache when the tests end.
/// </summary>
public sealed class PackedFuncExec : IAsyncLifetime
{
    /// <summary>The folder for everything the tests write: packages, apps, tools, FUNCEXEC_HOME.</summary>
    public string Root { get; } = Directory.CreateTempSubdirectory("funcexec-packaging-").FullName;

    /// <summary>The packages' version.</summary>
    public string Version { get; } = $"0.2.0-test.r{Guid.NewGuid():N}"[..22];

    /// <summary>The package folder, as <c>--add-source</c> and nuget.config take it.</summary>
    public string Packages => Path.Combine(Root, "packages");

    /// <summary>FUNCEXEC_HOME for everything the tests start: schedulers write their secrets there, and
    /// local nodes and clients read them there.</summary>
    public string Home => Path.Combine(Root, "home");

    /// <summary>The repository these tests were built from.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The configuration these tests were built in (Release in CI): the packages are packed from its outputs.</summary>
    public static string Configuration { get; } = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)))!;

    /// <summary>How long the pack took, and whether it could reuse the build.</summary>
    public string PackReport { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Home);
        // Before these tests the test project's build built every packable project (they are all
        // referenced from the CLI it references), so the packages come from those outputs. A
        // project whose outputs are missing makes --no-build fail; then pack builds them.
        var started = Stopwatch.StartNew();
        var solution = Path.Combine(RepositoryRoot, "FuncExec.slnx");
        var pack = await Dotnet.RunAsync(RepositoryRoot, Home, "pack", solution, "-c", Configuration, "--no-build", "-o", Packages, $"-p:Version={Version}");
        var reused = pack.ExitCode == 0;
        if (!reused)
        {
            pack = await Dotnet.RunAsync(RepositoryRoot, Home, "pack", solution, "-c", Configuration, "-o", Packages, $"-p:Version={Version}");
        }

        pack.EnsureSuccess();
        PackReport = $"packed in {started.Elapsed.TotalSeconds:0} s{(reused ? " from the build's outputs" : " with a build")}";
    }

    public async Task DisposeAsync()
    {
        var locals = await Dotnet.RunAsync(Root, Home, "nuget", "locals", "global-packages", "--list");
        var line = locals.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith("global-packages:", StringComparison.Ordinal));
        if (line is not null && Directory.Exists(line["global-packages:".Length..].Trim()))
        {
            foreach (var package in Directory.EnumerateDirectories(line["global-packages:".Length..].Trim(), "funcexec*"))
            {
                var version = Path.Combine(package, Version.ToLowerInvariant());
                if (Directory.Exists(version))
                {
                    Directory.Delete(version, recursive: true);
                }
            }
        }

        Directory.Delete(Root, recursive: true);
    }

    /// <summary>A new empty folder under <see cref="Root"/>.</summary>
    public string NewFolder(string name) => Directory.CreateDirectory(Path.Combine(Root, name)).FullName;

    /// <summary>The path of package <paramref name="id"/> in the package folder.</summary>
    public string PackagePath(string id) => Path.Combine(Packages, $"{id}.{Version}.nupkg");

    private static string FindRepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FuncExec.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("no FuncExec.slnx above " + AppContext.BaseDirectory);
    }
}

/// <summary>The tests that share one pack; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class SharedPackages : ICollectionFixture<PackedFuncExec>
{
    public const string Name = "packages";
}
