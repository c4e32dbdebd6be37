using System.Net;
using System.Text;

namespace FuncExec.Reporting.Internal;

/// <summary>
/// The pieces every HTML page of FuncExec shares: the head with the inlined style, and the inlined
/// charting library (a build of Apache ECharts, see Assets/README.md) with the page's data and script.
/// </summary>
/// <remarks>Everything is inline so a page opens from disk with no server and no network.</remarks>
internal static class ReportAssets
{
    private static readonly Lazy<string> EChartsScript = new(() => Resource("FuncExec.Reporting.echarts.js"));
    private static readonly Lazy<string> Style = new(() => Resource("FuncExec.Reporting.report.css"));

    /// <summary>The profile report's script.</summary>
    public static Lazy<string> ReportScript { get; } = new(() => Resource("FuncExec.Reporting.report.js"));

    /// <summary>The benchmark matrix page's script.</summary>
    public static Lazy<string> BenchScript { get; } = new(() => Resource("FuncExec.Reporting.bench.js"));

    /// <summary>Writes the page up to and including the opening <c>body</c> tag and its <c>h1</c>.</summary>
    public static void WriteHead(TextWriter writer, string title, string generator) =>
        writer.Write($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="{Html(generator)}">
            <title>{Html(title)}</title>
            <style>
            {Style.Value}</style>
            </head>
            <body>
            <h1>{Html(title)}</h1>

            """);

    /// <summary>Writes the page's data as a JSON script element, the charting library and the page's script, and
    /// closes the page.</summary>
    /// <param name="writer">Where the page goes.</param>
    /// <param name="dataId">The id of the data element the page's script reads.</param>
    /// <param name="json">The data; it must not contain <c>&lt;/</c> (System.Text.Json's default encoder escapes <c>&lt;</c>).</param>
    /// <param name="pageScript">The script that draws the page's charts.</param>
    public static void WriteScriptsAndClose(TextWriter writer, string dataId, string json, Lazy<string> pageScript)
    {
        writer.Write($"<script type=\"application/json\" id=\"{dataId}\">");
        writer.Write(json);
        writer.Write("</script>\n<script>\n");
        writer.Write(EChartsScript.Value);
        writer.Write("\n</script>\n<script>\n");
        writer.Write(pageScript.Value);
        writer.Write("</script>\n</body>\n</html>\n");
    }

    public static string Html(string text) => WebUtility.HtmlEncode(text);

    private static string Resource(string name)
    {
        using var stream = typeof(ReportAssets).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the report asset {name} is missing from {typeof(ReportAssets).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
