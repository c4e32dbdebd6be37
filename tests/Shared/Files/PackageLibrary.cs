using System.Runtime.InteropServices;

namespace FuncExec.Tests.Files;

/// <summary>
/// A class library as <c>dotnet build</c> leaves it: its own assembly and a deps.json naming package <c>Pkg</c>,
/// whose files (<c>lib/net8.0/Pkg.dll</c>, <c>runtimes/RID/native/libpkg.so</c>) are not beside it.
/// </summary>
internal static class PackageLibrary
{
    /// <summary>The package's folder in a NuGet package folder.</summary>
    public const string PackagePath = "pkg/1.2.3";

    /// <summary>Its native library's path for this platform, in the package and in a published app.</summary>
    public static string NativePath { get; } = $"runtimes/{RuntimeInformation.RuntimeIdentifier}/native/libpkg.so";

    /// <summary>Writes the library into <c>ROOT/bin</c>, <paramref name="assembly"/> copied as its <c>App.dll</c>, and returns that path.</summary>
    public static string Create(string root, string assembly)
    {
        var bin = Path.Combine(root, "bin");
        Directory.CreateDirectory(bin);
        File.Copy(assembly, Path.Combine(bin, "App.dll"));
        File.WriteAllText(Path.Combine(bin, "App.deps.json"), Manifest);
        return Path.Combine(bin, "App.dll");
    }

    /// <summary>Writes each file under <paramref name="folder"/>, its relative path as its content.</summary>
    public static void WriteFiles(string folder, params string[] files)
    {
        foreach (var file in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(folder, file))!);
            File.WriteAllText(Path.Combine(folder, file), file);
        }
    }

    // The library fields the host's own reader requires (serviceable, sha512): without them it fails natively.
    private static string Manifest => $$"""
        {
          "runtimeTarget": { "name": ".NETCoreApp,Version=v10.0", "signature": "" },
          "targets": {
            ".NETCoreApp,Version=v10.0": {
              "App/1.0.0": { "dependencies": { "Pkg": "1.2.3", "Runtime": "10.0.0" }, "runtime": { "App.dll": {} } },
              "Pkg/1.2.3": {
                "runtime": { "lib/net8.0/Pkg.dll": {} },
                "runtimeTargets": {
                  "{{NativePath}}": { "rid": "{{RuntimeInformation.RuntimeIdentifier}}", "assetType": "native" },
                  "runtimes/win-x64/native/pkg.dll": { "rid": "win-x64", "assetType": "native" }
                }
              },
              "Runtime/10.0.0": { "runtime": { "System.Private.CoreLib.dll": {} } }
            }
          },
          "libraries": {
            "App/1.0.0": { "type": "project", "serviceable": false, "sha512": "" },
            "Pkg/1.2.3": { "type": "package", "serviceable": true, "sha512": "sha512-x", "path": "{{PackagePath}}", "hashPath": "pkg.1.2.3.nupkg.sha512" },
            "Runtime/10.0.0": { "type": "runtimepack", "serviceable": false, "sha512": "" }
          }
        }
        """;
}
