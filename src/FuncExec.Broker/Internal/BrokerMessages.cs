using System.Buffers;
using System.Text;
using System.Text.Json;
using FuncExec.Core.Tasks;
using FuncExec.TaskFiles;

namespace FuncExec.Broker.Internal;

/// <summary>
/// The bodies of task and result messages. A task is a JSON object with a task file's task keys
/// (<c>name</c>, <c>function</c>|<c>code</c>|<c>command</c>, <c>params</c>/<c>args</c>, <c>assembly</c>,
/// <c>cores</c>, <c>priority</c>, <c>timeout</c>, <c>retries</c>), checked by the task file rules.
/// A result is the object of one line of <c>funcexec run</c>'s output (<see cref="TaskReportJson"/>)
/// with <c>task_id</c> (the task message's id) first and <c>redelivered</c> last.
/// </summary>
internal static class BrokerMessages
{
    /// <summary>The result property holding the task message's id.</summary>
    public const string TaskIdProperty = "task_id";

    /// <summary>The result property saying the broker delivered the task before (an earlier consumer died with it).</summary>
    public const string RedeliveredProperty = "redelivered";

    public static byte[] EncodeTask(TaskSpec task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("name", task.Name);
            switch (task.Kind)
            {
                case FunctionKind.Method:
                    json.WriteString("function", task.Function);
                    WriteParams(json, task.Params);
                    if (task.Assembly is { } assembly)
                    {
                        json.WriteString("assembly", assembly);
                    }

                    break;
                case FunctionKind.Code:
                    json.WriteString("code", task.Code);
                    WriteParams(json, task.Params);
                    break;
                case FunctionKind.Command:
                    json.WriteString("command", task.Command);
                    json.WriteStartArray("args");
                    foreach (var arg in task.Args)
                    {
                        json.WriteStringValue(arg);
                    }

                    json.WriteEndArray();
                    break;
                default:
                    throw new ArgumentException($"a {task.Kind} task cannot travel through a broker; use a method, code or command", nameof(task));
            }

            json.WriteNumber("cores", task.Cores);
            json.WriteNumber("priority", task.Priority);
            if (task.Timeout is { } timeout)
            {
                json.WriteNumber("timeout", timeout.TotalSeconds);
            }

            json.WriteNumber("retries", task.Retries);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The task a message body describes.</summary>
    /// <exception cref="TaskFileException">The body is not JSON, not an object, or not a valid task.</exception>
    public static TaskSpec DecodeTask(ReadOnlySpan<byte> body, string taskId, string baseDirectory)
    {
        var source = taskId.Length == 0 ? "message" : $"message {taskId}";
        return TaskFileReader.ParseTask(Encoding.UTF8.GetString(body), source, taskId.Length == 0 ? "task" : taskId, baseDirectory);
    }

    public static byte[] EncodeResult(string taskId, TaskReport report, bool redelivered)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString(TaskIdProperty, taskId);
            TaskReportJson.WriteProperties(json, report);
            json.WriteBoolean(RedeliveredProperty, redelivered);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <exception cref="FormatException">The body is not a result.</exception>
    public static (string? TaskId, TaskReport Report) DecodeResult(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var taskId = root.ValueKind == JsonValueKind.Object && root.TryGetProperty(TaskIdProperty, out var id) && id.ValueKind == JsonValueKind.String
                ? id.GetString()
                : null;
            return (taskId, TaskReportJson.Read(root));
        }
        catch (JsonException e)
        {
            throw new FormatException($"a result must be JSON: {e.Message}", e);
        }
    }

    /// <summary>The report of a task that was refused before it ran: the message could not be read as a task.</summary>
    public static TaskReport Refused(string name, string problem) => new()
    {
        Id = 0,
        Name = name,
        State = TaskState.Failed,
        Error = new RemoteError(typeof(TaskFileException).FullName!, problem, Retryable: false),
    };

    private static void WriteParams(Utf8JsonWriter json, IReadOnlyList<JsonElement> parameters)
    {
        json.WriteStartArray("params");
        foreach (var value in parameters)
        {
            value.WriteTo(json);
        }

        json.WriteEndArray();
    }
}
