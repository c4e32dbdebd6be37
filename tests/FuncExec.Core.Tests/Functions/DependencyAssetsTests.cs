using System.Reflection;
using FuncExec.Core.Functions;
using FuncExec.Core.Functions.Internal;
using FuncExec.Tests.Files;

namespace FuncExec.Core.Tests.Functions;

/// <summary>A deps.json's files are found where the host would find them: beside the assembly, else in a NuGet package folder.</summary>
public sealed class DependencyAssetsTests
{
    [Fact]
    public void RidFallbacks_PortableLinuxRid_FallsBackToLinuxUnixAny()
    {
        Assert.Equal(["linux-x64", "linux", "unix", "any"], DependencyAssets.RidFallbacks("linux-x64"));
        Assert.Equal(["linux-musl-arm64", "linux-musl", "linux-arm64", "linux", "unix", "any"], DependencyAssets.RidFallbacks("linux-musl-arm64"));
    }

    [Fact]
    public void PackageFolders_NugetPackagesSet_IsThatFolderElseTheOneInHome()
    {
        using var directory = new TemporaryDirectory();
        var assembly = Path.Combine(directory.Path, "App.dll");

        Assert.Equal(["/custom/packages"], DependencyAssets.PackageFolders(assembly, "/custom/packages/", "/home/ada"));
        Assert.Equal([Path.Combine("/home/ada", ".nuget", "packages")], DependencyAssets.PackageFolders(assembly, null, "/home/ada"));
    }

    [Fact]
    public void PackageFolders_RuntimeConfigDevJson_ItsProbingPathsComeFirst()
    {
        using var directory = new TemporaryDirectory();
        var assembly = Path.Combine(directory.Path, "App.dll");
        File.WriteAllText(Path.Combine(directory.Path, "App.runtimeconfig.dev.json"), """
            { "runtimeOptions": { "additionalProbingPaths": [ "/probe/one", "/store/|arch|/|tfm|", "/home/ada/.nuget/packages" ] } }
            """);

        Assert.Equal(["/probe/one", "/home/ada/.nuget/packages"], DependencyAssets.PackageFolders(assembly, null, "/home/ada"));
    }

    [Fact]
    public void Read_PackageLibrary_ListsItsAssetsWithTheirPublishedAndPackagePaths()
    {
        using var directory = new TemporaryDirectory();
        var assembly = PackageLibrary.Create(directory.Path, typeof(DependencyAssetsTests).Assembly.Location);

        var assets = DependencyAssets.Read(assembly, static _ => false, DependencyAssets.CurrentRids);

        Assert.Equal(
            [
                new DependencyAsset("Pkg/1.2.3", "Pkg.dll", PackageLibrary.PackagePath, "lib/net8.0/Pkg.dll", Managed: true),
                new DependencyAsset("Pkg/1.2.3", PackageLibrary.NativePath, PackageLibrary.PackagePath, PackageLibrary.NativePath, Managed: false),
            ],
            assets.Where(asset => asset.Library != "App/1.0.0"));
    }

    [Fact]
    public void PackageResolver_FilesOnlyInThePackageFolder_ResolvesManagedAndNativeThere()
    {
        using var directory = new TemporaryDirectory();
        var assembly = PackageLibrary.Create(directory.Path, typeof(DependencyAssetsTests).Assembly.Location);
        var package = Path.Combine(directory.Path, "packages", PackageLibrary.PackagePath);
        PackageLibrary.WriteFiles(package, "lib/net8.0/Pkg.dll", PackageLibrary.NativePath);

        var resolver = new PackageResolver(assembly, [Path.Combine(directory.Path, "packages")]);

        Assert.Equal(Path.Combine(package, "lib/net8.0/Pkg.dll"), resolver.ResolveAssembly(new AssemblyName("Pkg")));
        Assert.Equal(Path.Combine(package, PackageLibrary.NativePath), resolver.ResolveNative("pkg"));
        Assert.Null(resolver.ResolveAssembly(new AssemblyName("Unlisted")));
        Assert.Null(resolver.ResolveNative("unlisted"));
    }
}
