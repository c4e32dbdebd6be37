using System.Text.Json;
using System.Text.RegularExpressions;
using FuncExec.Reporting.Internal;
using FuncExec.Reporting.Tests.Support;

namespace FuncExec.Reporting.Tests;

public sealed partial class HtmlReportTests
{
    private const string Injection = "</script><script>alert(1)</script>";
    private const string Hostile = "<img src=x onerror=alert(1)>";

    [Fact]
    public async Task WriteAsync_Profile_HoldsTheThreeChartsTheSummaryAndTheInlinedLibrary()
    {
        using var dir = new TempDirectory();
        var synthetic = SyntheticProfile.Random(seed: 7, nodes: 2, workersPerNode: 2, tasksPerWorker: 30);
        synthetic.AddTask(1000, Injection, "node1/worker-0", "failed", SyntheticProfile.T0, SyntheticProfile.T0 + 10, SyntheticProfile.T0 + 20);
        var report = ProfileReport.Load(synthetic.Write(dir.File("run.csv")));
        var path = dir.File("run.html");

        await HtmlReport.WriteAsync(report, path);

        var html = await File.ReadAllTextAsync(path);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        foreach (var chart in new[] { "throughput-chart", "gantt-chart", "queue-chart" })
        {
            Assert.Contains($"<div id=\"{chart}\" class=\"chart\"></div>", html, StringComparison.Ordinal);
            Assert.Contains($"make('{chart}'", html, StringComparison.Ordinal);
        }

        // The series each chart draws.
        Assert.Contains("id: 'throughput', name: 'throughput', type: 'line'", html, StringComparison.Ordinal);
        Assert.Contains("id: 'tasks',", html, StringComparison.Ordinal);
        Assert.Contains("type: 'custom',", html, StringComparison.Ordinal);
        Assert.Contains("id: 'queued', name: 'queued tasks', type: 'line'", html, StringComparison.Ordinal);

        // Self-contained: the library is inline, nothing is fetched.
        Assert.Contains("/*! Apache ECharts 6.1.0", html, StringComparison.Ordinal);
        Assert.True(html.Length > 400_000, "the charting library should be inlined");
        Assert.DoesNotMatch(ExternalResource(), html);

        // A task name cannot end the data's script element.
        Assert.DoesNotContain(Injection, html, StringComparison.Ordinal);

        // The summary table says what the CLI prints.
        Assert.Contains($"<td>{ReportFormat.Throughput(report.Throughput)} tasks/s</td>", html, StringComparison.Ordinal);
        foreach (var worker in report.Workers)
        {
            Assert.Contains($"<code>{worker.Worker}</code>", html, StringComparison.Ordinal);
            Assert.Contains(ReportFormat.Percent(worker.Utilization), html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Write_Profile_DataHoldsEverySeries()
    {
        using var dir = new TempDirectory();
        var synthetic = SyntheticProfile.Random(seed: 8, nodes: 1, workersPerNode: 3, tasksPerWorker: 20);
        synthetic.AddTask(1000, Injection, "node1/worker-0", "failed", SyntheticProfile.T0, SyntheticProfile.T0 + 10, SyntheticProfile.T0 + 20);
        synthetic.AddWorkerDied(SyntheticProfile.T0 + 50_000, "node1/worker-1", "exited with code 3");
        var report = ProfileReport.Load(synthetic.Write(dir.File("run.csv")));
        var html = new StringWriter();

        HtmlReport.Write(report, html);

        using var data = JsonDocument.Parse(ProfileData().Match(html.ToString()).Groups[1].Value);
        var root = data.RootElement;
        Assert.Equal(report.Workers.Select(w => w.Worker), root.GetProperty("workers").EnumerateArray().Select(w => w.GetString()));
        Assert.Equal(report.ThroughputBins.Count, root.GetProperty("throughput").GetProperty("points").GetArrayLength());
        Assert.Equal(report.Samples, root.GetProperty("queue").GetArrayLength());
        Assert.Equal(61, root.GetProperty("gantt").GetProperty("bars").GetArrayLength());
        Assert.Contains(Injection, root.GetProperty("gantt").GetProperty("names").EnumerateArray().Select(n => n.GetString()));
        var death = Assert.Single(root.GetProperty("deaths").EnumerateArray());
        Assert.Equal("exited with code 3", death[2].GetString());
    }

    [Fact]
    public void Write_LargeProfile_MergedTimelineIsSaidAndTheFileStaysSmall()
    {
        using var dir = new TempDirectory();
        var synthetic = SyntheticProfile.Random(seed: 9, nodes: 4, workersPerNode: 8, tasksPerWorker: 3_200);
        var report = ProfileReport.Load(synthetic.Write(dir.File("run.csv")));
        var html = new StringWriter();

        HtmlReport.Write(report, html);

        Assert.True(report.Gantt.MergeGapUs > 0);
        Assert.InRange(report.Gantt.Bars.Count, 1, ProfileReport.DefaultMaxGanttBars);
        Assert.Contains("id=\"gantt-merged\"", html.ToString(), StringComparison.Ordinal);
        Assert.InRange(html.ToString().Length, 400_000, 3_000_000);
    }

    [Fact]
    public async Task Page_InHeadlessChromium_DrawsThreeCharts()
    {
        using var dir = new TempDirectory();
        var synthetic = SyntheticProfile.Random(seed: 10, nodes: 2, workersPerNode: 2, tasksPerWorker: 30);
        var path = dir.File("run.html");
        await HtmlReport.WriteAsync(ProfileReport.Load(synthetic.Write(dir.File("run.csv"))), path);

        var (dom, errors) = await HeadlessChromium.DumpDomAsync(path);

        Assert.True(dom.Contains("data-charts-ready=\"3\"", StringComparison.Ordinal), errors);
        Assert.True(Regex.Count(dom, "<canvas") >= 3, dom);
    }

    [Fact]
    public async Task Write_FailedTasksWithCauses_ListsEachErrorChainEncodedWithStacksFolded()
    {
        using var dir = new TempDirectory();
        var csv = dir.File("run.csv");
        var t0 = DateTimeOffset.UtcNow;
        var chained = new RemoteError("System.InvalidOperationException", "outer", "at Job.Run()") { Inner = [new("System.ArgumentException", "inner cause", "at Job.Check()", false)] };
        var hostile = new RemoteError("System.Exception", Hostile, Hostile) { Inner = [new("Evil" + Hostile, Hostile, null, false)] };
        await using (var recorder = new ProfileRecorder(csv, () => new ProfileSample(0, 1, 0, 0)))
        {
            recorder.OnEvents([
                ClusterEvent.TaskFinished(t0, 1, "chained", 1, TaskState.Failed, "n/worker-0", [0], t0, t0, 1) with { Error = chained },
                ClusterEvent.TaskFinished(t0, 2, Hostile, 1, TaskState.TimedOut, "n/worker-0", [0], t0, t0, 1) with { Error = hostile },
                ClusterEvent.TaskFinished(t0, 3, "fine", 1, TaskState.Succeeded, "n/worker-0", [0], t0, t0, 1),
            ]);
        }

        var html = new StringWriter();
        HtmlReport.Write(ProfileReport.Load(csv), html);
        var page = html.ToString();

        Assert.Contains("<h2 id=\"failed-tasks\">", page, StringComparison.Ordinal);
        Assert.Contains("<a href=\"#failed-tasks\">errors</a>", page, StringComparison.Ordinal);
        Assert.Contains(
            "<div class=\"error\"><b class=\"error-type\">System.InvalidOperationException</b>: <span class=\"error-message\">outer</span>"
            + "<details><summary>stack</summary><pre>at Job.Run()</pre></details>"
            + "<div class=\"causes\"><div class=\"label\">caused by</div>"
            + "<div class=\"error\"><b class=\"error-type\">System.ArgumentException</b>: <span class=\"error-message\">inner cause</span>"
            + "<details><summary>stack</summary><pre>at Job.Check()</pre></details></div></div></div>",
            page,
            StringComparison.Ordinal);
        // Text from user code is encoded wherever it goes: name, type, message, stack.
        Assert.DoesNotContain(Hostile, page, StringComparison.Ordinal);
        Assert.Contains("<b class=\"error-type\">Evil&lt;img src=x onerror=alert(1)&gt;</b>", page, StringComparison.Ordinal);
        // The name, the message, the stack and the cause's message.
        Assert.Equal(4, Regex.Count(page, "&lt;img src=x onerror=alert\\(1\\)&gt;</(td|span|pre)>"));
        Assert.DoesNotContain("data-task-id=\"3\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_MoreFailedTasksThanListed_ListsTheFirstAndSaysHowManyInAll()
    {
        using var dir = new TempDirectory();
        var synthetic = SyntheticProfile.Random(seed: 11, nodes: 1, workersPerNode: 1, tasksPerWorker: 1);
        for (var i = 0; i < ProfileReport.MaxFailedListed + 50; i++)
        {
            synthetic.AddTask(1000 + i, $"bad-{i}", "node1/worker-0", "failed", SyntheticProfile.T0, SyntheticProfile.T0 + 10, SyntheticProfile.T0 + 20);
        }

        var report = ProfileReport.Load(synthetic.Write(dir.File("run.csv")));
        var html = new StringWriter();
        HtmlReport.Write(report, html);

        Assert.Contains($"The first {ProfileReport.MaxFailedListed} of {report.FailedTotal}", html.ToString(), StringComparison.Ordinal);
        Assert.Equal(ProfileReport.MaxFailedListed, Regex.Count(html.ToString(), "<tr data-task-id="));
        // A profile recorded before errors were: the tasks are listed, their errors unknown.
        Assert.Contains("<span class=\"empty\">no error recorded</span>", html.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_InHeadlessChromium_ErrorMarkupShowsAsText()
    {
        using var dir = new TempDirectory();
        var csv = dir.File("run.csv");
        var t0 = DateTimeOffset.UtcNow;
        await using (var recorder = new ProfileRecorder(csv, () => new ProfileSample(0, 1, 0, 0)))
        {
            recorder.OnEvents([ClusterEvent.TaskFinished(t0, 1, "hostile", 1, TaskState.Failed, "n/worker-0", [0], t0, t0, 1) with
            {
                Error = new RemoteError("System.Exception", Hostile) { Inner = [new("System.ArgumentException", "inner cause", null, false)] },
            }]);
        }

        var path = dir.File("run.html");
        await HtmlReport.WriteAsync(ProfileReport.Load(csv), path);

        var (dom, errors) = await HeadlessChromium.DumpDomAsync(path);

        Assert.True(dom.Contains("data-charts-ready=\"3\"", StringComparison.Ordinal), errors);
        Assert.Contains("<span class=\"error-message\">&lt;img src=x onerror=alert(1)&gt;</span>", dom, StringComparison.Ordinal);
        // Parsed as markup, it would be an img element, serialized with quoted attributes.
        Assert.DoesNotContain("onerror=\"alert(1)\"", dom, StringComparison.Ordinal);
        Assert.Contains("inner cause", dom, StringComparison.Ordinal);
    }

    [GeneratedRegex("<script[^>]*\\ssrc=|<link[^>]*\\shref=|<img[^>]*\\ssrc=|@import|url\\(\\s*['\"]?https?:", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalResource();

    [GeneratedRegex("<script type=\"application/json\" id=\"profile-data\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ProfileData();
}
