using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace FuncExec.Packaging.Tests;

/// <summary>
/// No assembly the <c>funcexec</c> output carries is newer than the shared framework's copy of it. A worker runs from its
/// app's folder without the app's deps.json, so the runtime binds it to the framework's copy: an app assembly compiled
/// against a newer one (a package bump once brought System.Diagnostics.DiagnosticSource 11 and System.Text.Json 11 into
/// apps on .NET 10) then fails to load in the worker, and every task with it.
/// </summary>
public sealed class SharedFrameworkVersionTests(ITestOutputHelper output)
{
    [Fact]
    public void CliOutput_EveryAssemblyTheSharedFrameworkAlsoHas_IsNoNewerThanTheFrameworksCopy()
    {
        // The CLI's own build output, which its tool package publishes and its workers start from; this project's build
        // built it (the CLI is a project reference).
        var folder = Path.Combine(PackedFuncExec.RepositoryRoot, "src", "FuncExec.Cli", "bin", PackedFuncExec.Configuration, "net10.0");
        Assert.True(File.Exists(Path.Combine(folder, "funcexec.dll")), $"no CLI build in {folder}");
        Assert.True(File.Exists(Path.Combine(folder, "FuncExec.Worker.dll")), $"no worker beside the CLI in {folder}");

        var frameworks = FrameworksOf(Path.Combine(folder, "funcexec.runtimeconfig.json"))
            .Concat(FrameworksOf(Path.Combine(folder, "FuncExec.Worker.runtimeconfig.json")))
            .Distinct()
            .ToList();
        Assert.Contains("Microsoft.NETCore.App", frameworks);
        var frameworkAssemblies = new Dictionary<string, (Version Version, string Path)>(StringComparer.OrdinalIgnoreCase);
        foreach (var framework in frameworks)
        {
            foreach (var dll in Directory.EnumerateFiles(FrameworkDirectory(framework), "*.dll"))
            {
                if (TryVersionOf(dll, out var version))
                {
                    frameworkAssemblies[Path.GetFileName(dll)] = (version, dll);
                }
            }
        }

        var compared = 0;
        var newer = new List<string>();
        foreach (var dll in Directory.EnumerateFiles(folder, "*.dll"))
        {
            if (!frameworkAssemblies.TryGetValue(Path.GetFileName(dll), out var shared) || !TryVersionOf(dll, out var version))
            {
                continue;
            }

            compared++;
            if (version > shared.Version)
            {
                newer.Add($"{Path.GetFileName(dll)} {version} > {shared.Version} ({shared.Path})");
            }
        }

        output.WriteLine($"{compared} assemblies of {folder} also in {string.Join(", ", frameworks)}");
        Assert.True(newer.Count == 0, "assemblies newer than the shared framework's, which a worker cannot load:\n" + string.Join("\n", newer));
    }

    /// <summary>The shared frameworks a runtimeconfig.json names (<c>framework</c> or <c>frameworks</c>).</summary>
    private static IEnumerable<string> FrameworksOf(string runtimeConfig)
    {
        Assert.True(File.Exists(runtimeConfig), $"{runtimeConfig} is missing");
        using var json = JsonDocument.Parse(File.ReadAllText(runtimeConfig));
        var options = json.RootElement.GetProperty("runtimeOptions");
        var list = options.TryGetProperty("frameworks", out var many) ? [.. many.EnumerateArray()] : new[] { options.GetProperty("framework") };
        return [.. list.Select(f => f.GetProperty("name").GetString()!)];
    }

    /// <summary>The folder of <paramref name="framework"/> the app runs on: beside the runtime running this test, the
    /// newest installed patch of its major version (a framework reference rolls forward to the latest patch).</summary>
    private static string FrameworkDirectory(string framework)
    {
        var runtime = new DirectoryInfo(RuntimeEnvironment.GetRuntimeDirectory().TrimEnd(Path.DirectorySeparatorChar));
        var shared = runtime.Parent!.Parent!;
        var major = Version.Parse(runtime.Name.Split('-')[0]).Major;
        var candidates = new DirectoryInfo(Path.Combine(shared.FullName, framework)).EnumerateDirectories()
            .Select(d => (Dir: d, Version: Version.TryParse(d.Name.Split('-')[0], out var v) ? v : null))
            .Where(c => c.Version?.Major == major)
            .OrderByDescending(c => c.Version)
            .ToList();
        Assert.True(candidates.Count > 0, $"no {framework} {major}.x under {shared.FullName}");
        return candidates[0].Dir.FullName;
    }

    private static bool TryVersionOf(string dll, out Version version)
    {
        try
        {
            version = AssemblyName.GetAssemblyName(dll).Version ?? new Version();
            return true;
        }
        catch (BadImageFormatException)
        {
            // A native library with a .dll name: no assembly version to compare.
            version = new Version();
            return false;
        }
    }
}
