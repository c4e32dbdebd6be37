using System.Text;
using System.Text.Json;
using FuncExec.IntegrationTests.Distributed;

namespace FuncExec.IntegrationTests.Durability;

/// <summary>
/// Issue 10, end to end: a scheduler SIGKILLed mid-run and restarted with its journal loses nothing,
/// and the client that reattaches gets every result once.
/// </summary>
/// <remarks>Needs the scheduler's journal and its answer to Resume; a scheduler without them fails this test.</remarks>
public sealed class SchedulerRestartJournalTests
{
    [Fact]
    public async Task Run_SchedulerKilledAndRestartedWithItsJournalMidRun_EveryTaskReportedOnce()
    {
        const int count = 500;
        await using var scheduler = await RestartingScheduler.StartAsync();
        await using var node = await FuncexecProcess.StartNodeAsync("--scheduler", scheduler.Address, "-c", "2");
        var folder = Directory.CreateTempSubdirectory("funcexec-journal-restart-").FullName;
        var file = Path.Combine(folder, "tasks.yaml");
        // Tasks running when the scheduler dies count an attempt (as on a lost node): retries let them run again.
        var yaml = new StringBuilder("defaults:\n  retries: 2\ntasks:\n");
        for (var i = 0; i < count; i++)
        {
            yaml.Append("  - name: t").Append(i).Append("\n    function: System.Threading.Thread.Sleep\n    params: [50]\n");
        }

        await File.WriteAllTextAsync(file, yaml.ToString());
        var output = Path.Combine(folder, "results.jsonl");
        await using var run = FuncexecProcess.Start("run", file, "--scheduler", scheduler.Address, "--output", output);
        Assert.True(await Tasks.EventuallyAsync(() => LinesOf(output).Length >= 100, seconds: 120), run.Output + scheduler.Process.Output);

        await scheduler.KillAsync();
        await scheduler.RestartAsync();
        var exitCode = await run.WaitForExitAsync(seconds: 300);

        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{run.Output}\n{scheduler.Process.Output}");
        var lines = LinesOf(output).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(count, lines.Length);
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"t{i}"), lines.Select(l => l.GetProperty("name").GetString()));
        Assert.Equal(count, lines.Select(l => l.GetProperty("id").GetInt64()).Distinct().Count());
        Assert.All(lines, l => Assert.Equal("succeeded", l.GetProperty("status").GetString()));
        Assert.Contains($"run: reattached to {scheduler.Address}", run.Output, StringComparison.Ordinal);
    }

    /// <summary>The lines written so far; the file is shared, since the run still writes it.</summary>
    private static string[] LinesOf(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        // Whole lines only: the last may be half written.
        var text = reader.ReadToEnd();
        return text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
