using System.Runtime.InteropServices;
using FuncExec.IntegrationTests.Distributed;

namespace FuncExec.IntegrationTests.Api;

/// <summary>
/// A lambda's assembly takes along what its deps.json lists for this platform, so a job using Microsoft.Data.Sqlite
/// runs on the workers: the package's native library (<c>runtimes/RID/native/libe_sqlite3.so</c>) and
/// <c>SQLitePCLRaw.batteries_v2</c>, which nothing references and the package loads by name.
/// </summary>
public sealed class ComponentDependencyTests
{
    private const string Program = "tests/FuncExec.TestJobs.Sqlite";

    [Fact]
    public async Task Components_LambdaAssemblyWithNativeAndLoadedByNameDependencies_RunOnTheEmbeddedCluster()
    {
        var (exitCode, output) = await BuiltProgram.RunAsync(Program);

        AssertJobsRan(exitCode, output);
    }

    [Fact]
    public async Task Components_LambdaAssemblyWithNativeAndLoadedByNameDependencies_ShippedToASeparateNodeAndRun()
    {
        var destPath = Directory.CreateTempSubdirectory("funcexec-node-").FullName;
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync();
        await using var _ = scheduler;
        await using var node = FuncexecProcess.Start("node", "--scheduler", address, "-c", "1", "--name", "n1", "--dest-path", destPath);
        await node.WaitForAsync("joined scheduler");

        var (exitCode, output) = await BuiltProgram.RunAsync(Program, address);

        AssertJobsRan(exitCode, output);
        var component = Path.GetDirectoryName(Directory.GetFiles(Path.Combine(destPath, "components"), "FuncExec.TestJobs.Sqlite.dll", SearchOption.AllDirectories).Single())!;
        var stored = Directory.GetFiles(component, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(component, f)).ToList();
        Assert.Contains($"runtimes/{RuntimeInformation.RuntimeIdentifier}/native/libe_sqlite3.so", stored);
        Assert.Contains("SQLitePCLRaw.batteries_v2.dll", stored);
        Assert.Contains("FuncExec.TestJobs.Sqlite.deps.json", stored);
        Assert.DoesNotContain(stored, f => f.StartsWith("FuncExec.Client", StringComparison.Ordinal) || f.StartsWith("runtimes/win", StringComparison.Ordinal));
        // The program references the client, which brings Roslyn; no worker has it, but the jobs reach it only through FuncExec.
        Assert.DoesNotContain(stored, f => f.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) || f.StartsWith("FuncExec.Node", StringComparison.Ordinal));
    }

    private static void AssertJobsRan(int exitCode, string output)
    {
        Assert.True(exitCode == 0, output);
        Assert.Contains("sum: 15", output, StringComparison.Ordinal);
        Assert.Contains("sums: 1,3,6,10,15,21,28,36,45,55", output, StringComparison.Ordinal);
        Assert.Matches(@"context: FuncExec\.Computation\.\d+\|True", output);
    }
}
