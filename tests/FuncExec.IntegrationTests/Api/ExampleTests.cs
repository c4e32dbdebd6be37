using System.Globalization;
using System.Text.RegularExpressions;

namespace FuncExec.IntegrationTests.Api;

/// <summary>The examples in <c>examples/</c> run as they are and print what the README shows.</summary>
public sealed partial class ExampleTests
{
    [Fact]
    public async Task PingPong_RunsAsItIs_ClientAndTasksExchangeMessages()
    {
        var (exitCode, output) = await RunExampleAsync("PingPong", "--rounds", "200");

        Assert.True(exitCode == 0, output);
        Assert.Contains("client sent 4 hits, PingPongJobs.Pong on", output, StringComparison.Ordinal);
        Assert.Contains("task to task: 200 rounds between", output, StringComparison.Ordinal);
        Assert.Contains("pong returned 203 balls in all", output, StringComparison.Ordinal);
        Assert.Contains("as expected: the message to task", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FactorialFarm_RunsAsItIs_ComputesKillsAndReportsUtilization()
    {
        var folder = Directory.CreateTempSubdirectory("funcexec-farm-").FullName;

        // Small integers, so jobs finish within the run even on a busy machine.
        var (exitCode, output) = await RunExampleAsync("FactorialFarm", "--seconds", "4", "--scale", "0.05", "--out", folder);

        Assert.True(exitCode == 0, output);
        var summary = Summary().Match(output);
        Assert.True(summary.Success, output);
        var done = int.Parse(summary.Groups["done"].Value, CultureInfo.InvariantCulture);
        Assert.InRange(done, 1, int.MaxValue);
        Assert.Equal(done, Directory.GetFiles(folder, "*.bin").Length);
    }

    private static Task<(int ExitCode, string Output)> RunExampleAsync(string name, params string[] args) =>
        BuiltProgram.RunAsync($"examples/{name}", args);

    [GeneratedRegex(@"farm: (?<done>\d+) factorials done, (?<killed>\d+) jobs killed, core utilization")]
    private static partial Regex Summary();
}
