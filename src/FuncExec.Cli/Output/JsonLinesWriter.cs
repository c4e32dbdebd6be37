using System.Text.Json;
using FuncExec.Core.Tasks;

namespace FuncExec.Cli.Output;

/// <summary>
/// Writes task reports as JSON Lines in submission order, each as soon as every report
/// before it is written. Thread-safe.
/// </summary>
/// <remarks>A line is one object of <see cref="TaskReportJson"/>.</remarks>
internal sealed class JsonLinesWriter
{
    // Results are read by people and by tools; "+" in a timestamp need not be \u002B.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Stream _output;
    private readonly TaskReport?[] _reports;
    private readonly Lock _lock = new();
    private readonly bool _buffered;
    private readonly IReadOnlyList<string>? _taskIds;
    private int _next;

    /// <param name="output">Where lines go.</param>
    /// <param name="count">How many reports will come.</param>
    /// <param name="buffered">Hold every line until <see cref="Flush"/> (when a progress bar shares the terminal).</param>
    /// <param name="taskIds">Ids to write first in each line as <c>task_id</c> (tasks that went through a broker), by position; none when null.</param>
    public JsonLinesWriter(Stream output, int count, bool buffered, IReadOnlyList<string>? taskIds = null)
    {
        _output = output;
        _reports = new TaskReport?[count];
        _buffered = buffered;
        _taskIds = taskIds;
    }

    public void Add(int index, TaskReport report)
    {
        lock (_lock)
        {
            _reports[index] = report;
            if (!_buffered)
            {
                WriteReadyLocked();
            }
        }
    }

    public void Flush()
    {
        lock (_lock)
        {
            WriteReadyLocked();
            _output.Flush();
        }
    }

    /// <summary>Writes every report that came, in order, skipping tasks that never finished (on interrupt).</summary>
    /// <returns>How many reports came in all.</returns>
    public int FlushFinished()
    {
        lock (_lock)
        {
            var finished = _next;
            for (; _next < _reports.Length; _next++)
            {
                if (_reports[_next] is { } report)
                {
                    WriteLine(_next, report);
                    finished++;
                }
            }

            _output.Flush();
            return finished;
        }
    }

    /// <summary>Writes every report that came, in order, and for each task that never had one a line with
    /// <c>"status":"unknown"</c> (its scheduler did not come back): no task is left out.</summary>
    /// <param name="nameOf">The name of the task at a position.</param>
    /// <param name="ids">The scheduler's id of each task by position, 0 where it never accepted the task (then the line's id is 0).</param>
    /// <param name="message">Why its outcome is unknown.</param>
    /// <returns>How many reports came, and how many tasks are unknown.</returns>
    public (int Finished, int Unknown) FlushWithUnknown(Func<int, string> nameOf, IReadOnlyList<long> ids, string message)
    {
        lock (_lock)
        {
            var finished = _next;
            var unknown = 0;
            for (; _next < _reports.Length; _next++)
            {
                if (_reports[_next] is { } report)
                {
                    WriteLine(_next, report);
                    finished++;
                }
                else
                {
                    WriteUnknownLine(_next, nameOf(_next), _next < ids.Count ? ids[_next] : 0, message);
                    unknown++;
                }
            }

            _output.Flush();
            return (finished, unknown);
        }
    }

    private void WriteUnknownLine(int index, string name, long id, string message)
    {
        using (var json = new Utf8JsonWriter(_output, WriterOptions))
        {
            json.WriteStartObject();
            if (_taskIds is not null)
            {
                json.WriteString("task_id", _taskIds[index]);
            }

            json.WriteString("name", name);
            json.WriteNumber("id", id);
            json.WriteString("status", "unknown");
            json.WriteStartObject("error");
            json.WriteString("type", "FuncExec.SchedulerUnreachable");
            json.WriteString("message", message);
            json.WriteEndObject();
            json.WriteNull("worker");
            json.WriteNull("core");
            json.WriteNull("started");
            json.WriteNull("finished");
            json.WriteNumber("attempts", 0);
            json.WriteEndObject();
        }

        _output.WriteByte((byte)'\n');
    }

    private void WriteLine(int index, TaskReport report)
    {
        using (var json = new Utf8JsonWriter(_output, WriterOptions))
        {
            json.WriteStartObject();
            if (_taskIds is not null)
            {
                json.WriteString("task_id", _taskIds[index]);
            }

            TaskReportJson.WriteProperties(json, report);
            json.WriteEndObject();
        }

        _output.WriteByte((byte)'\n');
    }

    private void WriteReadyLocked()
    {
        var wrote = false;
        while (_next < _reports.Length && _reports[_next] is { } report)
        {
            WriteLine(_next, report);
            _reports[_next++] = null;
            wrote = true;
        }

        if (wrote)
        {
            _output.Flush();
        }
    }
}
