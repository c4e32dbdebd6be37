using FuncExec.Client;
using System.Text.Json;
using FuncExec.Core.Tasks;
using static FuncExec.IntegrationTests.Tasks;

namespace FuncExec.IntegrationTests;

/// <summary>Functions from a user's assembly, named with <c>assembly</c> / <c>--assembly</c>.</summary>
public sealed class AssemblyTests : IClassFixture<LocalClusterFixture>, IDisposable
{
    private readonly LocalClusterFixture _fixture;
    private readonly DirectoryInfo _userBin;

    public AssemblyTests(LocalClusterFixture fixture)
    {
        _fixture = fixture;
        // Copy the jobs and their dependency somewhere else, as a user's own build output would be.
        _userBin = Directory.CreateTempSubdirectory("funcexec-userbin-");
        foreach (var name in new[] { "FuncExec.TestJobs.dll", "FuncExec.TestJobs.Formatting.dll" })
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, name), Path.Combine(_userBin.FullName, name));
        }
    }

    private string JobsPath => Path.Combine(_userBin.FullName, "FuncExec.TestJobs.dll");

    /// <summary>A class library using Microsoft.Data.Sqlite, as <c>dotnet build</c> leaves it: the package's files are
    /// only in the NuGet package folder, which its deps.json names.</summary>
    private static string SqliteLibraryPath => BuiltProgram.AssemblyOf("tests/FuncExec.TestJobs.SqliteLibrary");

    public void Dispose() => _userBin.Delete(recursive: true);

    [Fact]
    public async Task RunAsync_MethodsFromAUserAssembly_ResolveWithTheirDependencies()
    {
        var reports = await _fixture.Cluster.RunAsync(
        [
            Method("add", "FuncExec.TestJobs.Jobs.Add", 2, 3) with { Assembly = JobsPath },
            Method("greet", "FuncExec.TestJobs.Jobs.Greet", "ada") with { Assembly = JobsPath },
            Method("move", "FuncExec.TestJobs.Jobs.Move", new { x = 1, y = 2 }, 10) with { Assembly = JobsPath },
            Method("async", "FuncExec.TestJobs.Jobs.DoubleLaterAsync", 21) with { Assembly = JobsPath },
        ]);

        Assert.All(reports, r => Assert.True(r.State == TaskState.Succeeded, r.Error?.Message));
        Assert.Equal("5", reports[0].ResultJson);
        Assert.Equal("\"hello, ada\"", reports[1].ResultJson);
        var moved = JsonDocument.Parse(reports[2].ResultJson!).RootElement;
        Assert.Equal(11, moved.GetProperty("X").GetInt32());
        Assert.Equal(2, moved.GetProperty("Y").GetInt32());
        Assert.Equal("42", reports[3].ResultJson);
    }

    [Fact]
    public async Task RunAsync_AssemblyThatDoesNotExist_FailsThatTaskOnly()
    {
        var reports = await _fixture.Cluster.RunAsync(
        [
            Method("missing", "My.Jobs.Add", 1) with { Assembly = "/nonexistent/My.dll" },
            Method("fine", "System.Math.Abs", -3),
        ]);

        Assert.Equal(TaskState.Failed, reports[0].State);
        Assert.Contains("/nonexistent/My.dll", reports[0].Error!.Message, StringComparison.Ordinal);
        Assert.Equal("3", reports[1].ResultJson);
    }

    [Fact]
    public async Task Exec_FunctionInAssembly_PrintsResult()
    {
        var (exitCode, stdout, stderr) = await Funcexec.RunAsync("exec", "--function", "FuncExec.TestJobs.Jobs.Greet", "--assembly", JobsPath, "--params", "bob");

        Assert.True(exitCode == 0, stderr);
        Assert.Equal("hello, bob", stdout.Trim());
    }

    [Fact]
    public async Task Run_TaskFileWithRelativeAssembly_ResolvesAgainstTheFile()
    {
        var file = Path.Combine(_userBin.FullName, "tasks.yaml");
        await File.WriteAllTextAsync(file, """
            defaults:
              assembly: FuncExec.TestJobs.dll
            tasks:
              - function: FuncExec.TestJobs.Jobs.Add
                params: [40, 2]
            """);

        var (exitCode, stdout, stderr) = await Funcexec.RunAsync("run", file);

        Assert.True(exitCode == 0, stderr + stdout);
        Assert.Equal("42", JsonDocument.Parse(stdout.Trim()).RootElement.GetProperty("result").GetRawText());
    }

    [Fact]
    public async Task Run_TasksThrowWithCauses_ErrorInnerListsThemInTheJson()
    {
        var file = Path.Combine(_userBin.FullName, "causes.yaml");
        await File.WriteAllTextAsync(file, """
            defaults:
              assembly: FuncExec.TestJobs.dll
            tasks:
              - name: one
                function: FuncExec.TestJobs.ApiJobs.FailWithCause
                params: [many]
              - name: two
                function: FuncExec.TestJobs.ApiJobs.FailWithTwoCauses
            """);

        var (exitCode, stdout, stderr) = await Funcexec.RunAsync("run", file, "--workers", "2");

        Assert.True(exitCode != 0, stderr + stdout);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var one = lines.Single(l => l.GetProperty("name").GetString() == "one").GetProperty("error");
        Assert.Equal("System.InvalidOperationException", one.GetProperty("type").GetString());
        var cause = Assert.Single(one.GetProperty("inner").EnumerateArray());
        Assert.Equal("System.FormatException", cause.GetProperty("type").GetString());
        Assert.Contains("ApiJobs.FailWithCause", cause.GetProperty("stack").GetString(), StringComparison.Ordinal);
        Assert.False(cause.TryGetProperty("inner", out _));
        var two = lines.Single(l => l.GetProperty("name").GetString() == "two").GetProperty("error");
        Assert.Equal("System.AggregateException", two.GetProperty("type").GetString());
        Assert.Equal(
            ["first", "second"],
            two.GetProperty("inner").EnumerateArray().Select(e => e.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Run_TaskFileNamingABuiltLibraryThatUsesAPackage_ShipsThePackageFromTheNuGetFolder()
    {
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(SqliteLibraryPath)!, "Microsoft.Data.Sqlite.dll")), "the library was published, not built");
        var file = Path.Combine(_userBin.FullName, "sqlite.yaml");
        await File.WriteAllTextAsync(file, $$"""
            tasks:
              - function: FuncExec.TestJobs.SqliteLibrary.LibraryJobs.SumOfSquares
                assembly: {{SqliteLibraryPath}}
                params: [10]
            """);

        var (exitCode, stdout, stderr) = await Funcexec.RunAsync("run", file);

        Assert.True(exitCode == 0, stderr + stdout);
        Assert.Equal("385", JsonDocument.Parse(stdout.Trim()).RootElement.GetProperty("result").GetRawText());
    }

    [Fact]
    public async Task Exec_FunctionInABuiltLibraryThatUsesAPackage_LoadsThePackageFromTheNuGetFolder()
    {
        var (exitCode, stdout, stderr) = await Funcexec.RunAsync(
            "exec", "--function", "FuncExec.TestJobs.SqliteLibrary.LibraryJobs.SumOfSquares", "--assembly", SqliteLibraryPath, "--params", "4");

        Assert.True(exitCode == 0, stderr);
        Assert.Equal("30", stdout.Trim());
    }
}
