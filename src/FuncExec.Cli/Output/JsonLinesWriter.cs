using System.Text.Json;
using FuncExec.Core.Platform;
using FuncExec.Core.Tasks;

namespace FuncExec.Cli.Output;

/// <summary>
/// Writes task reports as JSON Lines in submission order, each as soon as every report
/// before it is written. Thread-safe.
/// </summary>
/// <remarks>
/// A line: <c>{"name","id","status","result"|"error","worker","core","started","finished","attempts"[,"output"]}</c>;
/// <c>result</c> is the function's return value as JSON, <c>error</c> is
/// <c>{"type","message","stack"}</c>, <c>core</c> the kernel's list syntax (<c>0</c>, <c>0-1</c>).
/// </remarks>
internal sealed class JsonLinesWriter
{
    // Results are read by people and by tools; "+" in a timestamp need not be \u002B.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Stream _output;
    private readonly TaskReport?[] _reports;
    private readonly Lock _lock = new();
    private readonly bool _buffered;
    private int _next;

    /// <param name="output">Where lines go.</param>
    /// <param name="count">How many reports will come.</param>
    /// <param name="buffered">Hold every line until <see cref="Flush"/> (when a progress bar shares the terminal).</param>
    public JsonLinesWriter(Stream output, int count, bool buffered)
    {
        _output = output;
        _reports = new TaskReport?[count];
        _buffered = buffered;
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
                    WriteLine(report);
                    finished++;
                }
            }

            _output.Flush();
            return finished;
        }
    }

    private void WriteLine(TaskReport report)
    {
        using (var json = new Utf8JsonWriter(_output, WriterOptions))
        {
            Write(json, report);
        }

        _output.WriteByte((byte)'\n');
    }

    private void WriteReadyLocked()
    {
        var wrote = false;
        while (_next < _reports.Length && _reports[_next] is { } report)
        {
            WriteLine(report);
            _reports[_next++] = null;
            wrote = true;
        }

        if (wrote)
        {
            _output.Flush();
        }
    }

    internal static void Write(Utf8JsonWriter json, TaskReport report)
    {
        json.WriteStartObject();
        json.WriteString("name", report.Name);
        json.WriteNumber("id", report.Id);
        json.WriteString("status", report.State.ToName());
        if (report.ResultJson is { } result)
        {
            json.WritePropertyName("result");
            json.WriteRawValue(result, skipInputValidation: true);
        }

        if (report.Error is { } error)
        {
            json.WriteStartObject("error");
            json.WriteString("type", error.Type);
            json.WriteString("message", error.Message);
            if (error.StackTrace is { } stack)
            {
                json.WriteString("stack", stack);
            }

            json.WriteEndObject();
        }

        WriteOrNull(json, "worker", report.Worker);
        WriteOrNull(json, "core", report.Cores.Count > 0 ? CpuAffinity.FormatList(report.Cores) : null);
        WriteOrNull(json, "started", report.Started?.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        WriteOrNull(json, "finished", report.Finished?.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteNumber("attempts", report.Attempts);
        if (report.Output is { } output)
        {
            json.WriteString("output", output);
        }
        json.WriteEndObject();
    }

    private static void WriteOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
