using System.Globalization;
using System.Text;
using System.Text.Json;
using FuncExec.Core.Tasks;
using FuncExec.Reporting.Internal;

namespace FuncExec.Reporting;

/// <summary>Writes a <see cref="ProfileReport"/> as one self-contained HTML page: a summary table, throughput over
/// time, a per-worker busy timeline (Gantt), queue length over time, and the tasks that did not succeed with their
/// errors.</summary>
/// <remarks>
/// The page needs no server and no network: the charting library (a build of Apache ECharts, about 570 KB), the
/// script that draws the charts and the data are all inline. The three charts share their time axis, seconds
/// since the profile began, and zoom together (wheel or drag on a chart, or the slider under it). A profile with
/// more than 20,000 task bars has its timeline drawn at a coarser resolution, neighbouring tasks of a worker merged
/// into blocks; the page says so. Error texts come from user code: like every text from the profile they are
/// HTML-encoded, and stacks are folded in <c>details</c> elements.
/// </remarks>
internal static class HtmlReport
{
    /// <summary>Writes the page to <paramref name="path"/>, replacing a file there.</summary>
    public static async Task WriteAsync(ProfileReport report, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var html = new StringWriter(CultureInfo.InvariantCulture);
        Write(report, html);
        await File.WriteAllTextAsync(path, html.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Writes the page to <paramref name="writer"/>.</summary>
    public static void Write(ProfileReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        var title = "FuncExec profile: " + System.IO.Path.GetFileName(report.Path);
        ReportAssets.WriteHead(writer, title, "funcexec report");
        writer.Write($"""
            <p class="meta">{Html(report.Path)}: {Html(report.SpanDescription)}</p>

            """);
        WriteSummary(report, writer);
        writer.Write($"""
            <h2>Throughput over time</h2>
            <p class="note">Tasks finished per second, in bins of {Html(ReportFormat.Microseconds(report.ThroughputBinUs))}.</p>
            <div id="throughput-chart" class="chart"></div>
            <h2>Worker timeline</h2>
            <p class="legend">{Legend()}<span><i style="background:#8b0000"></i>worker died</span></p>
            {GanttNote(report)}
            <div id="gantt-chart" class="chart"></div>
            <h2>Queue length over time</h2>
            {(report.Samples == 0 ? "<p class=\"empty\">The profile has no samples.</p>" : "<p class=\"note\">Sampled tasks waiting for a worker, busy workers and workers.</p>")}
            <div id="queue-chart" class="chart"></div>

            """);
        WriteFailed(report, writer);
        ReportAssets.WriteScriptsAndClose(writer, "profile-data", ChartData(report), ReportAssets.ReportScript);
    }

    private static void WriteSummary(ProfileReport report, TextWriter writer)
    {
        var statuses = string.Join(", ", report.TasksByStatus.Where(p => p.Value > 0).Select(p => $"{p.Value} {p.Key.ToName()}"));
        writer.Write($"""
            <h2>Summary</h2>
            <table id="summary">
            <tr><th>tasks finished</th><td>{report.Tasks}{(statuses.Length > 0 ? $" ({Html(statuses)})" : string.Empty)}{(report.FailedTotal > 0 ? " — <a href=\"#failed-tasks\">errors</a>" : string.Empty)}</td></tr>
            <tr><th>span</th><td>{Html(report.SpanDescription)}</td></tr>
            <tr><th>throughput</th><td>{Html(ReportFormat.Throughput(report.Throughput))} tasks/s</td></tr>
            <tr><th>workers</th><td>{report.Workers.Count}, mean utilization {ReportFormat.Percent(report.MeanUtilization)}</td></tr>
            <tr><th>samples</th><td>{report.Samples}</td></tr>
            </table>
            <table id="utilization">
            <tr><th>worker</th><th class="num">core</th><th class="num">tasks</th><th class="num">busy</th><th>utilization</th><th class="num">deaths</th></tr>

            """);
        foreach (var worker in report.Workers)
        {
            var width = Math.Round(Math.Clamp(worker.Utilization, 0, 1) * 120);
            writer.Write($"""
                <tr><td><code>{Html(worker.Worker)}</code></td><td class="num">{worker.Core?.ToString(CultureInfo.InvariantCulture) ?? "-"}</td><td class="num">{worker.Tasks}</td><td class="num">{Html(ReportFormat.Seconds(worker.Busy))}</td><td><span class="bar" style="width:{width}px"></span>{ReportFormat.Percent(worker.Utilization)}</td><td class="num">{worker.Deaths}</td></tr>

                """);
        }

        writer.Write("</table>\n");
    }

    private static void WriteFailed(ProfileReport report, TextWriter writer)
    {
        if (report.FailedTotal == 0)
        {
            return;
        }

        var which = report.FailedTotal > report.Failed.Count ? $"The first {report.Failed.Count} of {report.FailedTotal}" : $"All {report.FailedTotal}";
        writer.Write($"""
            <h2 id="failed-tasks">Tasks that did not succeed</h2>
            <p class="note">{which}, in the order they finished, each with its error and, under it, its causes; open <i>stack</i> for a stack trace.</p>
            <table id="failed">
            <tr><th class="num">id</th><th>name</th><th>status</th><th>worker</th><th class="num">attempts</th><th>error</th></tr>

            """);
        foreach (var task in report.Failed)
        {
            writer.Write($"""<tr data-task-id="{task.TaskId}"><td class="num">{task.TaskId}</td><td>{Html(task.Name)}</td><td>{task.Status.ToName()}</td><td><code>{Html(task.Worker)}</code></td><td class="num">{task.Attempts}</td><td>""");
            if (task.Error is { } error)
            {
                WriteError(error, writer);
            }
            else
            {
                writer.Write("<span class=\"empty\">no error recorded</span>");
            }

            writer.Write("</td></tr>\n");
        }

        writer.Write("</table>\n");
    }

    /// <summary>An error and its causes, nested as the chain is (bounded where it was read, so the recursion is shallow).</summary>
    private static void WriteError(RemoteError error, TextWriter writer)
    {
        writer.Write($"""<div class="error"><b class="error-type">{Html(error.Type)}</b>: <span class="error-message">{Html(error.Message)}</span>""");
        if (error.StackTrace is { } stack)
        {
            writer.Write($"<details><summary>stack</summary><pre>{Html(stack)}</pre></details>");
        }

        if (error.Inner.Count > 0)
        {
            writer.Write($"""<div class="causes"><div class="label">caused by{(error.Inner.Count > 1 ? $" ({error.Inner.Count})" : string.Empty)}</div>""");
            foreach (var cause in error.Inner)
            {
                WriteError(cause, writer);
            }

            writer.Write("</div>");
        }

        writer.Write("</div>");
    }

    private static string Legend() =>
        string.Concat(Enum.GetValues<TaskState>().Select(s => $"<span><i style=\"background:{Color(s)}\"></i>{s.ToName()}</span>"));

    // The same colors as report.js's palette, for the legend drawn in HTML.
    private static string Color(TaskState state) => state switch
    {
        TaskState.Succeeded => "#3ba272",
        TaskState.Failed => "#ee6666",
        TaskState.TimedOut => "#fc8452",
        TaskState.Cancelled => "#9a9a9a",
        _ => "#9a60b4",
    };

    private static string GanttNote(ProfileReport report)
    {
        var gantt = report.Gantt;
        if (gantt.MergeGapUs == 0)
        {
            return "<p class=\"note\">One row per worker, one bar per task (a task holding several cores has a bar on each of their workers). Hover a bar for the task.</p>";
        }

        return $"<p class=\"note\" id=\"gantt-merged\">This profile has {gantt.Tasks} task bars; to keep the page responsive, the timeline is drawn "
            + $"at a resolution of {Html(ReportFormat.Microseconds(gantt.MergeGapUs))}: neighbouring tasks of a worker closer than that are merged into "
            + $"blocks no longer than that ({gantt.Bars.Count} bars in all). A block is colored by the worst status among its tasks, and its tooltip "
            + "says how many it holds. The utilization table is computed from every task.</p>";
    }

    private static string ChartData(ProfileReport report)
    {
        var origin = report.OriginUs;
        double Rel(long us) => Math.Round((us - origin) / 1e6, 6);
        using var buffer = new MemoryStream();
        // The default encoder escapes <, > and &, so no task name can close the <script> element around the data.
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("source", report.Path);
            json.WriteStartArray("statuses");
            foreach (var state in Enum.GetValues<TaskState>())
            {
                json.WriteStringValue(state.ToName());
            }

            json.WriteEndArray();
            json.WriteStartArray("workers");
            foreach (var worker in report.Workers)
            {
                json.WriteStringValue(worker.Worker);
            }

            json.WriteEndArray();
            json.WriteNumber("end", Rel(LastTime(report)));

            json.WriteStartObject("throughput");
            json.WriteNumber("binSeconds", report.ThroughputBinUs / 1e6);
            json.WriteStartArray("points");
            foreach (var bin in report.ThroughputBins)
            {
                json.WriteStartArray();
                json.WriteNumberValue(Rel(bin.StartUs));
                json.WriteNumberValue(Math.Round(bin.Finished / (report.ThroughputBinUs / 1e6), 3));
                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndObject();

            json.WriteStartArray("queue");
            foreach (var sample in report.Queue)
            {
                json.WriteStartArray();
                json.WriteNumberValue(Rel(sample.TimeUs));
                json.WriteNumberValue(sample.Queued);
                json.WriteNumberValue(sample.BusyWorkers);
                json.WriteNumberValue(sample.Workers);
                json.WriteEndArray();
            }

            json.WriteEndArray();

            json.WriteStartObject("gantt");
            json.WriteNumber("tasks", report.Gantt.Tasks);
            json.WriteNumber("mergeGapSeconds", report.Gantt.MergeGapUs / 1e6);
            json.WriteStartArray("bars");
            foreach (var bar in report.Gantt.Bars)
            {
                json.WriteStartArray();
                json.WriteNumberValue(bar.Row);
                json.WriteNumberValue(Rel(bar.StartUs));
                json.WriteNumberValue(Rel(bar.EndUs));
                json.WriteNumberValue((int)bar.Status);
                json.WriteNumberValue(bar.FirstId);
                json.WriteNumberValue(bar.LastId);
                json.WriteNumberValue(bar.Count);
                json.WriteNumberValue(bar.Failed);
                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteStartArray("names");
            foreach (var bar in report.Gantt.Bars)
            {
                // Long names are cut: the tooltip only needs to recognise the task.
                if (bar.Name is { } name)
                {
                    json.WriteStringValue(name.Length > 120 ? string.Concat(name.AsSpan(0, 119), "…") : name);
                }
                else
                {
                    json.WriteNullValue();
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();

            json.WriteStartArray("deaths");
            var rows = report.Workers.Select((w, i) => (w.Worker, i)).ToDictionary(p => p.Worker, p => p.i, StringComparer.Ordinal);
            foreach (var death in report.Deaths)
            {
                json.WriteStartArray();
                json.WriteNumberValue(rows[death.Worker]);
                json.WriteNumberValue(Rel(death.TimeUs));
                json.WriteStringValue(death.Reason);
                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static long LastTime(ProfileReport report) =>
        new[] { report.SpanEndUs, report.Queue.Count > 0 ? report.Queue[^1].TimeUs : 0, report.Deaths.Count > 0 ? report.Deaths.Max(d => d.TimeUs) : 0 }.Max();

    private static string Html(string text) => ReportAssets.Html(text);
}
