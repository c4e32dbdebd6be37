using FuncExec.Cli.Tests.Support;

namespace FuncExec.Cli.Tests.Commands;

public sealed class RunCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("funcexec-run-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string TaskFile()
    {
        var path = Path.Combine(_folder, "tasks.yaml");
        File.WriteAllText(path, "tasks:\n  - name: min\n    function: System.Math.Min\n    params: [1, 2]\n");
        return path;
    }

    [Theory]
    [InlineData("--output")]
    [InlineData("--profile")]
    public async Task Run_OutputFileInMissingFolder_CleanErrorNamingPathExit2(string option)
    {
        var missing = Path.Combine(_folder, "missing", "dir", "x");

        var (exitCode, stdout, stderr) = await CliProcess.RunAsync("run", option, missing, TaskFile());

        Assert.Equal(2, exitCode);
        Assert.Empty(stdout);
        Assert.Contains($"run: {option} {missing}", stderr, StringComparison.Ordinal);
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_OutputIsAFolder_CleanErrorExit2()
    {
        var (exitCode, _, stderr) = await CliProcess.RunAsync("run", "--output", _folder, TaskFile());

        Assert.Equal(2, exitCode);
        Assert.Contains($"run: --output {_folder} is a folder", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BenchCsvInMissingFolder_CleanErrorExit2()
    {
        var missing = Path.Combine(_folder, "missing", "bench.csv");

        var (exitCode, _, stderr) = await CliProcess.RunAsync("bench", "--csv", missing);

        Assert.Equal(2, exitCode);
        Assert.Contains($"bench: --csv {missing}", stderr, StringComparison.Ordinal);
    }
}
