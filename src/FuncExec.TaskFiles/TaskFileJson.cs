using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace FuncExec.TaskFiles;

/// <summary>Turns a task file value into the <see cref="JsonElement"/> a task's params hold.</summary>
internal static class TaskFileJson
{
    /// <summary>
    /// Converts <paramref name="node"/> by the core schema: integers stay integers, mappings
    /// become objects, lists arrays, quoted scalars strings.
    /// </summary>
    /// <exception cref="TaskFileException">The value holds <c>.inf</c> or <c>.nan</c>, which JSON cannot.</exception>
    public static JsonElement ToElement(TaskFileNode node, string path)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, node, path);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>Throws what <see cref="ToElement"/> would for <paramref name="node"/>, without building the element.</summary>
    /// <exception cref="TaskFileException">The value holds <c>.inf</c> or <c>.nan</c>, which JSON cannot.</exception>
    public static void Check(TaskFileNode node, string path)
    {
        switch (node)
        {
            case TaskFileMapping mapping:
                foreach (var (_, value) in mapping.Entries)
                {
                    Check(value, path);
                }

                break;

            case TaskFileSequence sequence:
                foreach (var item in sequence.Items)
                {
                    Check(item, path);
                }

                break;

            case TaskFileScalar { Kind: TaskFileScalarKind.Float } scalar when !CoreSchema.IsJsonNumber(scalar.Text):
                if (!double.IsFinite(CoreSchema.ToDouble(scalar.Text, scalar.Kind)))
                {
                    throw NotFinite(scalar, path);
                }

                break;
        }
    }

    private static void Write(Utf8JsonWriter writer, TaskFileNode node, string path)
    {
        switch (node)
        {
            case TaskFileMapping mapping:
                writer.WriteStartObject();
                foreach (var (key, value) in mapping.Entries)
                {
                    writer.WritePropertyName(key.Text);
                    Write(writer, value, path);
                }

                writer.WriteEndObject();
                break;

            case TaskFileSequence sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Items)
                {
                    Write(writer, item, path);
                }

                writer.WriteEndArray();
                break;

            case TaskFileScalar scalar:
                WriteScalar(writer, scalar, path);
                break;

            default:
                throw new ArgumentException($"unexpected node {node.GetType().Name}", nameof(node));
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, TaskFileScalar scalar, string path)
    {
        switch (scalar.Kind)
        {
            case TaskFileScalarKind.Null:
                writer.WriteNullValue();
                break;

            case TaskFileScalarKind.Boolean:
                writer.WriteBooleanValue(CoreSchema.ToBoolean(scalar.Text));
                break;

            case TaskFileScalarKind.Integer:
                // Written from the exact value so that 3 stays 3, 0x10 becomes 16 and integers
                // past the range of long keep every digit.
                writer.WriteRawValue(CoreSchema.ToInteger(scalar.Text).ToString(CultureInfo.InvariantCulture));
                break;

            case TaskFileScalarKind.Float when CoreSchema.IsJsonNumber(scalar.Text):
                // Copied as written so that no digit is lost to a double.
                writer.WriteRawValue(scalar.Text);
                break;

            case TaskFileScalarKind.Float:
                var value = CoreSchema.ToDouble(scalar.Text, scalar.Kind);
                if (!double.IsFinite(value))
                {
                    throw NotFinite(scalar, path);
                }

                writer.WriteNumberValue(value);
                break;

            default:
                writer.WriteStringValue(scalar.Text);
                break;
        }
    }

    private static TaskFileException NotFinite(TaskFileScalar scalar, string path) =>
        new(path, scalar.Line, scalar.Column, $"'{scalar.Text}' cannot be a parameter: JSON has no infinity or NaN; quote it to pass a string");
}
