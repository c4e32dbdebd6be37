namespace FuncExec.Packaging.Tests;

/// <summary>The <c>funcexec</c> command installed from the package folder with <c>dotnet tool install</c>,
/// as a global-style tool (<c>--tool-path</c>) and as a local one (a tool manifest), runs calls and task files.</summary>
[Collection(SharedPackages.Name)]
public sealed class ToolPackageTests(PackedFuncExec packed, ITestOutputHelper output)
{
    [Fact]
    public async Task ToolInstall_ToolPath_ExecAndRunWork()
    {
        output.WriteLine(packed.PackReport);
        var tools = packed.NewFolder("tools");
        (await Dotnet.RunAsync(tools, packed.Home, "tool", "install", "--tool-path", tools, "FuncExec", "--add-source", packed.Packages, "--version", packed.Version)).EnsureSuccess();
        var funcexec = Path.Combine(tools, "funcexec");

        var exec = (await Dotnet.RunProgramAsync(funcexec, tools, packed.Home, "exec", "--function", "System.Math.Min", "--params", "1", "2")).EnsureSuccess();
        Assert.Equal("1", exec.Stdout.Trim());

        // Pinned worker processes, started from the tool's own folder.
        var tasks = Path.Combine(tools, "tasks.yaml");
        File.WriteAllLines(tasks, ["tasks:", "  - name: min", "    function: System.Math.Min", "    params: [1, 2]", "  - name: sum", "    code: return Enumerable.Range(1, 10).Sum();"]);
        var run = (await Dotnet.RunProgramAsync(funcexec, tools, packed.Home, "run", tasks, "--workers", "2")).EnsureSuccess();
        output.WriteLine(run.ToString());
        Assert.Contains("\"name\":\"min\"", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"result\":1,", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"result\":55,", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolInstall_LocalWithManifest_ExecWorks()
    {
        var project = packed.NewFolder("local-tool");
        (await Dotnet.RunAsync(project, packed.Home, "new", "tool-manifest")).EnsureSuccess();
        (await Dotnet.RunAsync(project, packed.Home, "tool", "install", "--local", "FuncExec", "--add-source", packed.Packages, "--version", packed.Version)).EnsureSuccess();

        var exec = (await Dotnet.RunAsync(project, packed.Home, "tool", "run", "funcexec", "exec", "--function", "System.Math.Min", "--params", "1", "2")).EnsureSuccess();
        Assert.Equal("1", exec.Stdout.Trim());
    }
}
