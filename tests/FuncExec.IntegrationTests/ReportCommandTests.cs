using System.Globalization;
using System.Text.RegularExpressions;
using FuncExec.IntegrationTests.Dashboard;

namespace FuncExec.IntegrationTests;

public sealed partial class ReportCommandTests
{
    private const string Header = "record,time_us,task_id,name,computation,worker,cores,status,attempts,queued_us,started_us,finished_us,busy_workers,workers,queued,completed";

    [Fact]
    public async Task RunWithProfile_ThenReport_EveryTaskAndWorkerOfTheRunIsInTheReport()
    {
        var dir = Directory.CreateTempSubdirectory("funcexec-report-");
        var csv = Path.Combine(dir.FullName, "run.csv");
        var example = Path.Combine(Funcexec.RepositoryRoot(), "examples", "tasks.yaml");

        var run = await Funcexec.RunAsync("run", example, "--workers", "2", "--profile", csv);
        var (exitCode, stdout, stderr) = await Funcexec.RunAsync("report", csv);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.True(exitCode == 0, stderr + stdout);
        var rows = await File.ReadAllLinesAsync(csv);
        Assert.Equal(8, rows.Count(r => r.StartsWith("task,", StringComparison.Ordinal)));
        Assert.Equal(2, rows.Count(r => r.StartsWith("worker,", StringComparison.Ordinal)));
        Assert.Contains(rows, r => r.StartsWith("sample,", StringComparison.Ordinal));
        Assert.Contains("8 tasks finished (8 succeeded)", stdout, StringComparison.Ordinal);
        Assert.Contains("/worker-0", stdout, StringComparison.Ordinal);
        Assert.Contains("/worker-1", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.ChangeExtension(csv, ".html")));
    }

    [Fact]
    public async Task RunWithProfile_TaskFailsWithACause_ReportListsTheErrorAndItsCauseEncoded()
    {
        var html = await ReportOfAFailingRunAsync("--workers", "1");

        AssertListsTheErrorAndItsCause(html);
    }

    [Fact]
    public async Task RunOnASchedulerWithProfile_TaskFailsWithACause_TheErrorCrossesTheEventStreamIntoTheReport()
    {
        // The profile is recorded by the client from the scheduler's event stream.
        await using var cluster = await DashboardCluster.StartAsync(workers: 1, nodeName: "prof1");

        var html = await ReportOfAFailingRunAsync("--scheduler", cluster.Address, "--secret", DashboardCluster.Secret);

        AssertListsTheErrorAndItsCause(html);
    }

    /// <summary>Runs a task that fails with a cause (and one after it) under <c>funcexec run --profile</c> with
    /// <paramref name="where"/>, reports the profile, and returns the HTML page.</summary>
    private static async Task<string> ReportOfAFailingRunAsync(params string[] where)
    {
        var dir = Directory.CreateTempSubdirectory("funcexec-report-");
        var csv = Path.Combine(dir.FullName, "run.csv");
        var tasks = Path.Combine(dir.FullName, "tasks.yaml");
        // The failing task runs first; the one after it keeps the run going while its event reaches a client-side profile.
        await File.WriteAllTextAsync(tasks, """
            defaults:
              retries: 0
            tasks:
              - name: fails
                priority: 5
                code: |
                  System.Threading.Thread.Sleep(500);
                  throw new InvalidOperationException("outer <b>", new ArgumentException("inner cause"));
              - name: after
                code: |
                  System.Threading.Thread.Sleep(1000);
                  return 1;
            """);

        var run = await Funcexec.RunAsync(["run", tasks, .. where, "--profile", csv]);
        var (exitCode, stdout, stderr) = await Funcexec.RunAsync("report", csv);

        Assert.Contains("\"inner cause\"", run.Stdout, StringComparison.Ordinal);
        Assert.True(exitCode == 0, stderr + stdout);
        var html = await File.ReadAllTextAsync(Path.Combine(dir.FullName, "run.html"));
        dir.Delete(recursive: true);
        return html;
    }

    private static void AssertListsTheErrorAndItsCause(string html)
    {
        Assert.Contains("<b class=\"error-type\">System.InvalidOperationException</b>: <span class=\"error-message\">outer &lt;b&gt;</span>", html, StringComparison.Ordinal);
        Assert.Contains("<b class=\"error-type\">System.ArgumentException</b>: <span class=\"error-message\">inner cause</span>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_RecordedProfile_PrintsThroughputAndUtilizationAndWritesHtmlBeside()
    {
        var dir = Directory.CreateTempSubdirectory("funcexec-report-");
        var csv = Path.Combine(dir.FullName, "run.csv");
        // Two workers; worker-0 runs three tasks, worker-1 two, over 4 s from the first start to the last finish.
        const long t0 = 1_763_800_000_000_000;
        (string Worker, long Start, long End, string Status)[] tasks =
        [
            ("n/worker-0", 0, 1_000_000, "succeeded"),
            ("n/worker-0", 1_000_000, 2_500_000, "failed"),
            ("n/worker-0", 3_000_000, 4_000_000, "succeeded"),
            ("n/worker-1", 500_000, 1_500_000, "succeeded"),
            ("n/worker-1", 2_000_000, 2_250_000, "timed-out"),
        ];
        var rows = new List<string> { Header, $"worker,{t0},,,,n/worker-0,0,,,,,,,,,", $"worker,{t0},,,,n/worker-1,1,,,,,,,,," };
        rows.AddRange(tasks.Select((t, i) => string.Create(CultureInfo.InvariantCulture,
            $"task,{t0 + t.End},{i + 1},\"job {i}, with a comma\",1,{t.Worker},{t.Worker[^1]},{t.Status},1,{t0},{t0 + t.Start},{t0 + t.End},,,,")));
        rows.Add($"sample,{t0},,,,,,,,,,,0,2,5,0");
        rows.Add($"sample,{t0 + 4_000_000},,,,,,,,,,,0,2,0,5");
        await File.WriteAllLinesAsync(csv, rows);

        var (exitCode, stdout, stderr) = await Funcexec.RunAsync("report", csv);

        Assert.True(exitCode == 0, stderr + stdout);
        var span = (tasks.Max(t => t.End) - tasks.Min(t => t.Start)) / 1e6;
        // Printed with two decimals (1.25 tasks/s), utilization with one (87.5%): equal to within that rounding.
        Assert.InRange(double.Parse(Throughput().Match(stdout).Groups[1].Value, CultureInfo.InvariantCulture) - (tasks.Length / span), -0.00501, 0.00501);
        Assert.Contains("5 tasks finished (3 succeeded, 1 failed, 1 timed-out)", stdout, StringComparison.Ordinal);
        foreach (var worker in new[] { "n/worker-0", "n/worker-1" })
        {
            var busy = tasks.Where(t => t.Worker == worker).Sum(t => (t.End - t.Start) / 1e6);
            var printed = Regex.Match(stdout, Regex.Escape(worker) + @"\D.*?(\d+\.\d)%").Groups[1].Value;
            Assert.InRange(double.Parse(printed, CultureInfo.InvariantCulture) - (busy / span * 100), -0.0501, 0.0501);
        }

        var html = Path.Combine(dir.FullName, "run.html");
        Assert.Contains($"html: {html}", stdout, StringComparison.Ordinal);
        Assert.Contains("id=\"gantt-chart\"", await File.ReadAllTextAsync(html), StringComparison.Ordinal);
        dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Report_HtmlOption_WritesThere()
    {
        var dir = Directory.CreateTempSubdirectory("funcexec-report-");
        var csv = Path.Combine(dir.FullName, "run.csv");
        var html = Path.Combine(dir.FullName, "elsewhere.html");
        await File.WriteAllLinesAsync(csv, [Header, "task,2000000,1,one,1,n/worker-0,0,succeeded,1,0,1000000,2000000,,,,"]);

        var (exitCode, stdout, stderr) = await Funcexec.RunAsync("report", csv, "--html", html);

        Assert.True(exitCode == 0, stderr + stdout);
        Assert.Contains("throughput: 1.00 tasks/s", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(html));
        Assert.False(File.Exists(Path.Combine(dir.FullName, "run.html")));
        dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Report_MalformedProfile_ExitsTwoNamingTheLine()
    {
        var dir = Directory.CreateTempSubdirectory("funcexec-report-");
        var csv = Path.Combine(dir.FullName, "run.csv");
        await File.WriteAllLinesAsync(csv, [Header, "sample,1,,,,,,,,,,,1,1,0,0", "task,abc,1,one,1,n/worker-0,0,succeeded,1,0,1,2,,,,"]);

        var (exitCode, _, stderr) = await Funcexec.RunAsync("report", csv);

        Assert.Equal(2, exitCode);
        Assert.Contains($"report: {csv}:3: time_us 'abc' is not a whole number", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir.FullName, "run.html")));
        dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Report_MissingFile_ExitsTwo()
    {
        var (exitCode, _, stderr) = await Funcexec.RunAsync("report", "/nonexistent/run.csv");

        Assert.Equal(2, exitCode);
        Assert.Contains("report: /nonexistent/run.csv: no such file", stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"throughput: (\d+(?:\.\d+)?) tasks/s")]
    private static partial Regex Throughput();
}
