using System.Globalization;
using System.Text;
using System.Text.Json;
using FuncExec.Core.Text;
using FuncExec.Reporting.Internal;

namespace FuncExec.Reporting;

/// <summary>Writes a <see cref="BenchMatrix"/> as one self-contained HTML page: a line chart of throughput against
/// workers, one line per clients count, and the table of every cell.</summary>
/// <remarks>Like <see cref="HtmlReport"/>, the page needs no server and no network: the charting library (the same
/// inlined build of Apache ECharts), its script and the data are all inline.</remarks>
internal static class BenchReport
{
    /// <summary>Writes the page to <paramref name="path"/>, replacing a file there.</summary>
    public static async Task WriteAsync(BenchMatrix matrix, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var html = new StringWriter(CultureInfo.InvariantCulture);
        Write(matrix, html);
        await File.WriteAllTextAsync(path, html.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Writes the page to <paramref name="writer"/>.</summary>
    public static void Write(BenchMatrix matrix, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(writer);
        ReportAssets.WriteHead(writer, "FuncExec benchmark matrix", "funcexec bench");
        writer.Write($"""
            <p class="meta">{Html(Description(matrix))}</p>
            <h2>Throughput against workers</h2>
            <p class="note">Tasks completed per second of wall time, one line per number of clients submitting at once.</p>
            <div id="bench-chart" class="chart"></div>
            <h2>Tasks per second</h2>
            <p class="note">Rows: workers. Columns: clients. Hover a cell for its wall time.</p>
            <table id="bench-table">
            <tr><th>workers</th>{string.Concat(matrix.Clients.Select(c => $"<th class=\"num\">{Clients(c)}</th>"))}</tr>

            """);
        foreach (var workers in matrix.Workers)
        {
            writer.Write($"<tr><th>{workers}</th>");
            foreach (var clients in matrix.Clients)
            {
                writer.Write(matrix.Cell(workers, clients) is { } cell
                    ? string.Create(CultureInfo.InvariantCulture, $"<td class=\"num\" title=\"{cell.Tasks:N0} tasks in {cell.Seconds:0.000} s\">{cell.TasksPerSecond:N0}</td>")
                    : "<td class=\"num\">-</td>");
            }

            writer.Write("</tr>\n");
        }

        writer.Write("</table>\n");
        ReportAssets.WriteScriptsAndClose(writer, "bench-data", ChartData(matrix), ReportAssets.BenchScript);
    }

    /// <summary>One line saying what ran: the cluster, the task, tasks per cell, runs per cell, cores and date.</summary>
    public static string Description(BenchMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var repeat = matrix.Repeat > 1 ? $", median of {matrix.Repeat} runs per cell" : string.Empty;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{matrix.TasksPerCell:N0} {matrix.Task} tasks per cell on the {matrix.Cluster}{repeat}; {Plural.Of(matrix.Cores, "core")}; {matrix.Started:yyyy-MM-dd HH:mm} UTC");
    }

    private static string Clients(int clients) => Plural.Of(clients, "client");

    private static string ChartData(BenchMatrix matrix)
    {
        using var buffer = new MemoryStream();
        // The default encoder escapes <, > and &, so nothing in the data can close the <script> element around it.
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("description", Description(matrix));
            json.WriteStartArray("workers");
            foreach (var workers in matrix.Workers)
            {
                json.WriteNumberValue(workers);
            }

            json.WriteEndArray();
            json.WriteStartArray("series");
            foreach (var clients in matrix.Clients)
            {
                json.WriteStartObject();
                json.WriteString("name", Clients(clients));
                json.WriteNumber("clients", clients);
                json.WriteStartArray("points");
                foreach (var workers in matrix.Workers)
                {
                    if (matrix.Cell(workers, clients) is { } cell)
                    {
                        json.WriteNumberValue(Math.Round(cell.TasksPerSecond, 1));
                    }
                    else
                    {
                        json.WriteNullValue();
                    }
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string Html(string text) => ReportAssets.Html(text);
}
