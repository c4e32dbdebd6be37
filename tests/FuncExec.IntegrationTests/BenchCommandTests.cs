using System.Globalization;
using System.Text.RegularExpressions;
using FuncExec.IntegrationTests.Distributed;

namespace FuncExec.IntegrationTests;

/// <summary><c>funcexec bench</c> run as a user would: on the embedded cluster and against scheduler and node processes.</summary>
public sealed partial class BenchCommandTests
{
    [Fact]
    public async Task Bench_SmallMatrixOnEmbeddedCluster_PrintsTableAndWritesCsvAndSelfContainedHtml()
    {
        var dir = Directory.CreateTempSubdirectory("funcexec-bench-");
        var csv = Path.Combine(dir.FullName, "matrix.csv");
        var html = Path.Combine(dir.FullName, "matrix.html");

        var (exitCode, stdout, stderr) = await Funcexec.RunAsync(
            "bench", "--clients", "1..2", "--workers", "1..2", "--tasks", "400", "--csv", csv, "--html", html);

        Assert.True(exitCode == 0, stderr + stdout);
        Assert.Contains("400 noop tasks per cell on the embedded cluster", stdout, StringComparison.Ordinal);
        AssertTable(stdout, workers: [1, 2], clients: 2);
        AssertCsv(csv, workers: [1, 2], clients: [1, 2], tasks: 400);
        Assert.Contains($"csv: {csv}", stdout, StringComparison.Ordinal);
        Assert.Contains($"html: {html}", stdout, StringComparison.Ordinal);
        // Progress went to standard error, a line per cell.
        Assert.Contains("2 workers, 2 clients: 400 tasks in", stderr, StringComparison.Ordinal);

        var page = await File.ReadAllTextAsync(html);
        Assert.DoesNotMatch(ExternalScript(), page);
        Assert.Contains("<div id=\"bench-chart\" class=\"chart\"></div>", page, StringComparison.Ordinal);
        Assert.Contains("<script type=\"application/json\" id=\"bench-data\">", page, StringComparison.Ordinal);
        Assert.Contains("\"series\":[{\"name\":\"1 client\"", page, StringComparison.Ordinal);
        Assert.Contains("/*! Apache ECharts", page, StringComparison.Ordinal);
        dir.Delete(recursive: true);
    }

    [Theory]
    [InlineData("--workers", "0..3", "bench: --workers: '0..3' holds 0; counts start at 1")]
    [InlineData("--clients", "4..1", "bench: --clients: '4..1' runs backwards; write it low to high: 1..4")]
    [InlineData("--task", "spin", "bench: --task: 'spin' is not a task")]
    public async Task Bench_BadOption_ExitsTwoNamingTheOption(string option, string value, string message)
    {
        var dir = Directory.CreateTempSubdirectory("funcexec-bench-");
        var csv = Path.Combine(dir.FullName, "bench.csv");

        var (exitCode, stdout, stderr) = await Funcexec.RunAsync("bench", option, value, "--csv", csv);

        Assert.True(exitCode == 2, stderr + stdout);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(csv));
        dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Bench_UnreachableScheduler_ExitsTwoNamingTheAddress()
    {
        // A port nothing listens on: bind one, note it, let it go.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var (exitCode, stdout, stderr) = await Funcexec.RunAsync("bench", "--scheduler", $"127.0.0.1:{port}", "--csv", Path.Combine(Path.GetTempPath(), $"never-{port}.csv"));

        Assert.True(exitCode == 2, stderr + stdout);
        Assert.Contains($"127.0.0.1:{port}", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_AgainstSchedulerAndNodeProcesses_PinsToTheFirstWorkersAndRefusesMoreThanTheClusterHas()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync();
        await using var _ = scheduler;
        await using var node = FuncexecProcess.Start("node", "--scheduler", address, "-c", "2", "--name", "bench-node");
        await node.WaitForAsync("joined scheduler");
        var dir = Directory.CreateTempSubdirectory("funcexec-bench-");
        var csv = Path.Combine(dir.FullName, "bench.csv");

        var tooMany = await Funcexec.RunAsync("bench", "--scheduler", address, "--workers", "1..3", "--csv", csv);
        var (exitCode, stdout, stderr) = await Funcexec.RunAsync(
            "bench", "--scheduler", address, "--clients", "1..2", "--workers", "1..2", "--tasks", "300", "--task", "spin:1",
            "--csv", csv, "--html", Path.Combine(dir.FullName, "bench.html"));

        Assert.True(tooMany.ExitCode == 2, tooMany.Stderr + tooMany.Stdout);
        Assert.Contains($"--workers asks for up to 3 workers, but the cluster of the scheduler at {address} has 2", tooMany.Stderr, StringComparison.Ordinal);
        Assert.True(exitCode == 0, stderr + stdout + scheduler.Output + node.Output);
        Assert.Contains($"300 spin:1 tasks per cell on the cluster of the scheduler at {address}", stdout, StringComparison.Ordinal);
        AssertTable(stdout, workers: [1, 2], clients: 2);
        AssertCsv(csv, workers: [1, 2], clients: [1, 2], tasks: 300);
        dir.Delete(recursive: true);
    }

    /// <summary>A row per workers count, each with a tasks/s figure per clients count.</summary>
    private static void AssertTable(string stdout, int[] workers, int clients)
    {
        Assert.Contains("tasks/s (rows: workers, columns: clients)", stdout, StringComparison.Ordinal);
        Assert.Contains("1 client", stdout, StringComparison.Ordinal);
        Assert.Contains($"{clients} clients", stdout, StringComparison.Ordinal);
        var rows = stdout.Split('\n').Select(l => TableRow().Match(l)).Where(m => m.Success).ToArray();
        Assert.Equal(workers, rows.Select(r => int.Parse(r.Groups[1].Value, CultureInfo.InvariantCulture)));
        Assert.All(rows, r => Assert.Equal(clients, r.Groups[2].Captures.Count));
        Assert.All(rows.SelectMany(r => r.Groups[2].Captures), c => Assert.True(double.Parse(c.Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture) > 0, c.Value));
    }

    private static void AssertCsv(string csv, int[] workers, int[] clients, int tasks)
    {
        var lines = File.ReadAllLines(csv);
        Assert.Equal("workers,clients,tasks,seconds,tasks_per_second", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(workers.Length * clients.Length, rows.Length);
        Assert.Equal(workers.SelectMany(w => clients.Select(c => $"{w},{c}")), rows.Select(r => $"{r[0]},{r[1]}"));
        Assert.All(rows, r =>
        {
            Assert.Equal(tasks, int.Parse(r[2], CultureInfo.InvariantCulture));
            var seconds = double.Parse(r[3], CultureInfo.InvariantCulture);
            var throughput = double.Parse(r[4], CultureInfo.InvariantCulture);
            Assert.True(seconds > 0 && throughput > 0, string.Join(',', r));
            Assert.Equal(tasks / seconds, throughput, tolerance: Math.Max(0.051, throughput * 1e-3));
        });
    }

    // A table row: the workers count, then one figure per column, between box-drawing (or ASCII) borders.
    [GeneratedRegex(@"^\W*?(\d+)\s*\W(?:\s*([\d,]+)\s*\W)+\s*$")]
    private static partial Regex TableRow();

    [GeneratedRegex("<script[^>]*\\ssrc=", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalScript();
}
