using System.Globalization;
using System.Text.Json;
using FuncExec.Core.Platform;

namespace FuncExec.Core.Tasks;

/// <summary>A <see cref="TaskReport"/> as JSON: the shape of one line of <c>funcexec run</c>'s output.</summary>
/// <remarks>
/// The properties: <c>"name","id","status","result"|"error","worker","core","started","finished","attempts"[,"output"]</c>;
/// <c>result</c> is the function's return value as JSON, <c>error</c> is <c>{"type","message","stack"[,"inner"]}</c>
/// where <c>inner</c> lists the exception's causes in the same shape (<see cref="RemoteError.Inner"/>),
/// <c>core</c> the kernel's list syntax (<c>0</c>, <c>0-1</c>), times ISO 8601 round-trip.
/// </remarks>
internal static class TaskReportJson
{
    /// <summary>Writes <paramref name="report"/>'s properties into the object <paramref name="json"/> has open.</summary>
    public static void WriteProperties(Utf8JsonWriter json, TaskReport report)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(report);
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
            json.WritePropertyName("error");
            WriteError(json, error, 0);
        }

        WriteOrNull(json, "worker", report.Worker);
        WriteOrNull(json, "core", report.Cores.Count > 0 ? CpuAffinity.FormatList(report.Cores) : null);
        WriteOrNull(json, "started", report.Started?.ToString("O", CultureInfo.InvariantCulture));
        WriteOrNull(json, "finished", report.Finished?.ToString("O", CultureInfo.InvariantCulture));
        json.WriteNumber("attempts", report.Attempts);
        if (report.Output is { } output)
        {
            json.WriteString("output", output);
        }
    }

    /// <summary>Reads a report written by <see cref="WriteProperties"/> back; properties it does not know are ignored.</summary>
    /// <exception cref="FormatException">A property has the wrong type, or <c>name</c> or <c>status</c> is missing.</exception>
    public static TaskReport Read(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"a task report must be a JSON object, not {json.ValueKind}");
        }

        try
        {
            var status = json.GetProperty("status").GetString();
            return new TaskReport
            {
                Id = json.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number ? id.GetInt64() : 0,
                Name = json.GetProperty("name").GetString() ?? "",
                State = ParseState(status),
                ResultJson = json.TryGetProperty("result", out var result) ? result.GetRawText() : null,
                Error = json.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object ? ReadError(error) : null,
                Worker = StringOrNull(json, "worker"),
                Cores = StringOrNull(json, "core") is { } cores ? CpuAffinity.ParseList(cores) : [],
                Started = StringOrNull(json, "started") is { } started ? DateTimeOffset.Parse(started, CultureInfo.InvariantCulture) : null,
                Finished = StringOrNull(json, "finished") is { } finished ? DateTimeOffset.Parse(finished, CultureInfo.InvariantCulture) : null,
                Attempts = json.TryGetProperty("attempts", out var attempts) && attempts.ValueKind == JsonValueKind.Number ? attempts.GetInt32() : 0,
                Output = StringOrNull(json, "output"),
            };
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException)
        {
            // GetProperty throws KeyNotFoundException for a missing property, Get* InvalidOperationException for a wrong kind.
            throw new FormatException($"not a task report: {e.Message}", e);
        }
    }

    /// <summary>Writes <paramref name="error"/> as the value <paramref name="json"/> expects next:
    /// <c>{"type","message"[,"stack"][,"inner"]}</c>, its causes in the same shape.</summary>
    public static void WriteError(Utf8JsonWriter json, RemoteError error)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(error);
        WriteError(json, error, 0);
    }

    /// <summary>Reads an error written by <see cref="WriteError(Utf8JsonWriter, RemoteError)"/>; its causes are cut to
    /// <see cref="RemoteErrorBounds"/> as they are read.</summary>
    /// <exception cref="KeyNotFoundException"><c>type</c> or <c>message</c> is missing.</exception>
    /// <exception cref="InvalidOperationException">A property has the wrong kind, or <paramref name="error"/> is not an object.</exception>
    public static RemoteError ReadError(JsonElement error) =>
        new(
            error.GetProperty("type").GetString() ?? "",
            error.GetProperty("message").GetString() ?? "",
            error.TryGetProperty("stack", out var stack) ? stack.GetString() : null)
        {
            // The text may come from anywhere (a broker queue, a file): its causes are cut to the limits as they are read.
            Inner = RemoteErrorBounds.Causes(
                error,
                static e => e.TryGetProperty("inner", out var inner) && inner.ValueKind == JsonValueKind.Array
                    ? inner.EnumerateArray().Where(static c => c.ValueKind == JsonValueKind.Object)
                    : [],
                static e => RemoteErrorBounds.Cause(StringOrNull(e, "type"), StringOrNull(e, "message"), StringOrNull(e, "stack"))),
        };

    private static void WriteError(Utf8JsonWriter json, RemoteError error, int depth)
    {
        json.WriteStartObject();
        json.WriteString("type", error.Type);
        json.WriteString("message", error.Message);
        if (error.StackTrace is { } stack)
        {
            json.WriteString("stack", stack);
        }

        // The model was bounded where it arrived; the depth check keeps a hand-made one from going deeper.
        if (error.Inner.Count > 0 && depth < RemoteErrorBounds.MaxDepth)
        {
            json.WriteStartArray("inner");
            foreach (var cause in error.Inner)
            {
                WriteError(json, cause, depth + 1);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    private static TaskState ParseState(string? status) => status switch
    {
        "succeeded" => TaskState.Succeeded,
        "failed" => TaskState.Failed,
        "timed-out" => TaskState.TimedOut,
        "cancelled" => TaskState.Cancelled,
        "killed" => TaskState.Killed,
        _ => throw new FormatException($"unknown task status '{status}'"),
    };

    private static string? StringOrNull(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

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
