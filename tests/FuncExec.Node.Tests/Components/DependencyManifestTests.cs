using System.Runtime.InteropServices;
using FuncExec.Node.Components;
using FuncExec.Tests.Files;

namespace FuncExec.Node.Tests.Components;

/// <summary>An assembly with a deps.json takes along what the host would load for it on this platform, and nothing else.</summary>
public sealed class DependencyManifestTests
{
    private static readonly string Rid = RuntimeInformation.RuntimeIdentifier;

    [Fact]
    public void PutAssembly_WithDepsJson_StoresItsManagedAndNativeAssetsForThisPlatformOnly()
    {
        using var directory = new TemporaryDirectory();
        var app = Path.Combine(directory.Path, "app");
        Directory.CreateDirectory(app);
        File.Copy(typeof(DependencyManifestTests).Assembly.Location, Path.Combine(app, "App.dll"));
        File.WriteAllText(Path.Combine(app, "App.deps.json"), Manifest);
        foreach (var file in (string[])[
            "Lib.dll", "Reflected.dll", "Native.dll", "FuncExec.Core.dll", "Dep.Of.Core.dll", "System.Private.CoreLib.dll", "Unlisted.dll",
            $"runtimes/{Rid}/native/libn.so", "runtimes/linux/native/libn.so", "runtimes/win-x64/native/n.dll",
            "runtimes/unix/lib/net8.0/Native.dll", "runtimes/win/lib/net8.0/Native.dll",
            "runtimes/linux/native/libother.so", "runtimes/osx/native/libother.dylib"])
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(app, file))!);
            File.WriteAllText(Path.Combine(app, file), file);
        }

        var store = new ComponentStore(Path.Combine(directory.Path, "components"));
        var component = store.PutAssembly(Path.Combine(app, "App.dll"));

        Assert.Equal(
            new[]
            {
                "App.deps.json", "App.dll", "Lib.dll", "Native.dll", "Reflected.dll",
                "runtimes/linux/native/libother.so", $"runtimes/{Rid}/native/libn.so", "runtimes/unix/lib/net8.0/Native.dll",
            }.Order(StringComparer.Ordinal),
            store.ReadBundle(component).Select(f => f.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void RidFallbacks_PortableLinuxRid_FallsBackToLinuxUnixAny()
    {
        Assert.Equal(["linux-x64", "linux", "unix", "any"], DependencyManifest.RidFallbacks("linux-x64"));
        Assert.Equal(["linux-musl-arm64", "linux-musl", "linux-arm64", "linux", "unix", "any"], DependencyManifest.RidFallbacks("linux-musl-arm64"));
    }

    // Lib is loaded by name by nothing here, but is listed: it travels. FuncExec.Core and what only it needs stay,
    // and so do the runtime pack and a package's copy of a framework assembly.
    private static string Manifest => $$"""
        {
          "runtimeTarget": { "name": ".NETCoreApp,Version=v10.0", "signature": "" },
          "targets": {
            ".NETCoreApp,Version=v10.0": {
              "App/1.0.0": {
                "dependencies": { "Lib": "2.0.0", "FuncExec.Core": "1.0.0", "Native": "3.0.0", "Runtime": "10.0.0", "Framework.Package": "10.0.1" },
                "runtime": { "App.dll": {} }
              },
              "Lib/2.0.0": {
                "dependencies": { "Reflected": "2.0.0" },
                "runtime": { "lib/net8.0/Lib.dll": { "assemblyVersion": "2.0.0.0" } }
              },
              "Reflected/2.0.0": {
                "runtime": { "lib/net8.0/Reflected.dll": {} },
                "runtimeTargets": {
                  "runtimes/linux/native/libother.so": { "rid": "linux", "assetType": "native" },
                  "runtimes/osx/native/libother.dylib": { "rid": "osx", "assetType": "native" }
                }
              },
              "Native/3.0.0": {
                "runtime": { "lib/net8.0/Native.dll": {} },
                "runtimeTargets": {
                  "runtimes/{{Rid}}/native/libn.so": { "rid": "{{Rid}}", "assetType": "native" },
                  "runtimes/linux/native/libn.so": { "rid": "linux", "assetType": "native" },
                  "runtimes/win-x64/native/n.dll": { "rid": "win-x64", "assetType": "native" },
                  "runtimes/unix/lib/net8.0/Native.dll": { "rid": "unix", "assetType": "runtime" },
                  "runtimes/win/lib/net8.0/Native.dll": { "rid": "win", "assetType": "runtime" }
                }
              },
              "FuncExec.Core/1.0.0": {
                "dependencies": { "Dep.Of.Core": "1.0.0" },
                "runtime": { "FuncExec.Core.dll": {} }
              },
              "Dep.Of.Core/1.0.0": { "runtime": { "lib/net8.0/Dep.Of.Core.dll": {} } },
              "Runtime/10.0.0": { "runtime": { "System.Private.CoreLib.dll": {} } },
              "Framework.Package/10.0.1": { "runtime": { "lib/net10.0/System.Private.CoreLib.dll": {} } }
            }
          },
          "libraries": {
            "App/1.0.0": { "type": "project" },
            "Lib/2.0.0": { "type": "package" },
            "Reflected/2.0.0": { "type": "package" },
            "Native/3.0.0": { "type": "package" },
            "FuncExec.Core/1.0.0": { "type": "project" },
            "Dep.Of.Core/1.0.0": { "type": "package" },
            "Runtime/10.0.0": { "type": "runtimepack" },
            "Framework.Package/10.0.1": { "type": "package" }
          }
        }
        """;
}
