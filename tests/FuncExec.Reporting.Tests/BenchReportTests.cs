using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using FuncExec.Reporting.Tests.Support;

namespace FuncExec.Reporting.Tests;

public sealed partial class BenchReportTests
{
    private static readonly BenchMatrix Matrix = new()
    {
        Cluster = "embedded cluster",
        Task = "noop",
        TasksPerCell = 1000,
        Repeat = 3,
        Cores = 2,
        Started = new DateTimeOffset(2026, 11, 22, 7, 30, 0, TimeSpan.Zero),
        Cells =
        [
            new BenchCell(1, 1, 1000, 0.5),
            new BenchCell(1, 2, 1000, 0.25),
            new BenchCell(2, 1, 1000, 0.125),
            new BenchCell(2, 2, 1000, 0.1),
        ],
    };

    [Fact]
    public async Task WriteAsync_Matrix_SelfContainedPageWithChartTableAndData()
    {
        using var dir = new TempDirectory();
        var path = dir.File("bench.html");

        await BenchReport.WriteAsync(Matrix, path);

        var html = await File.ReadAllTextAsync(path);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("<div id=\"bench-chart\" class=\"chart\"></div>", html, StringComparison.Ordinal);
        Assert.Contains("echarts.init(document.getElementById('bench-chart')", html, StringComparison.Ordinal);
        Assert.Contains("/*! Apache ECharts 6.1.0", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(ExternalResource(), html);
        Assert.Contains("1,000 noop tasks per cell on the embedded cluster, median of 3 runs per cell; 2 cores; 2026-11-22 07:30 UTC", html, StringComparison.Ordinal);

        // The table: a row per workers count, a column per clients count, tasks/s in the cells.
        Assert.Contains("<tr><th>workers</th><th class=\"num\">1 client</th><th class=\"num\">2 clients</th></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><th>1</th><td class=\"num\" title=\"1,000 tasks in 0.500 s\">2,000</td><td class=\"num\" title=\"1,000 tasks in 0.250 s\">4,000</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><th>2</th><td class=\"num\" title=\"1,000 tasks in 0.125 s\">8,000</td><td class=\"num\" title=\"1,000 tasks in 0.100 s\">10,000</td></tr>", html, StringComparison.Ordinal);

        // The chart's data: throughput by workers, one series per clients count.
        using var data = JsonDocument.Parse(BenchData().Match(html).Groups[1].Value);
        var root = data.RootElement;
        Assert.Equal([1, 2], root.GetProperty("workers").EnumerateArray().Select(w => w.GetInt32()));
        var series = root.GetProperty("series").EnumerateArray().ToArray();
        Assert.Equal(["1 client", "2 clients"], series.Select(s => s.GetProperty("name").GetString()));
        Assert.Equal([2000.0, 8000.0], series[0].GetProperty("points").EnumerateArray().Select(p => p.GetDouble()));
        Assert.Equal([4000.0, 10000.0], series[1].GetProperty("points").EnumerateArray().Select(p => p.GetDouble()));
    }

    [Fact]
    public void Write_MissingCell_NullInTheSeriesAndADashInTheTable()
    {
        var matrix = Matrix with { Cells = [.. Matrix.Cells.Take(3)] };
        var html = new StringWriter(CultureInfo.InvariantCulture);

        BenchReport.Write(matrix, html);

        using var data = JsonDocument.Parse(BenchData().Match(html.ToString()).Groups[1].Value);
        var points = data.RootElement.GetProperty("series")[1].GetProperty("points");
        Assert.Equal(JsonValueKind.Null, points[1].ValueKind);
        Assert.Contains("<td class=\"num\">-</td>", html.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Csv_HeaderThenARowPerCellInRunOrder()
    {
        var csv = new StringWriter(CultureInfo.InvariantCulture);

        BenchCsv.Write(Matrix, csv);

        Assert.Equal(
            """
            workers,clients,tasks,seconds,tasks_per_second
            1,1,1000,0.500000,2000.0
            1,2,1000,0.250000,4000.0
            2,1,1000,0.125000,8000.0
            2,2,1000,0.100000,10000.0

            """.ReplaceLineEndings("\n"),
            csv.ToString());
    }

    [Fact]
    public async Task Page_InHeadlessChromium_DrawsTheChart()
    {
        using var dir = new TempDirectory();
        var path = dir.File("bench.html");
        await BenchReport.WriteAsync(Matrix, path);

        var (dom, errors) = await HeadlessChromium.DumpDomAsync(path);

        Assert.True(dom.Contains("data-charts-ready=\"1\"", StringComparison.Ordinal), errors);
        Assert.Contains("<canvas", dom, StringComparison.Ordinal);
    }

    [GeneratedRegex("<script[^>]*\\ssrc=|<link[^>]*\\shref=|<img[^>]*\\ssrc=|@import|url\\(\\s*['\"]?https?:", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalResource();

    [GeneratedRegex("<script type=\"application/json\" id=\"bench-data\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex BenchData();
}
