using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace FuncExec.Cli.Output;

/// <summary>
/// Writes a protobuf message (the scheduler's status) as one JSON object: every field, zeros and empty lists too,
/// under its protobuf JSON name, and every number a JSON number.
/// </summary>
/// <remarks>
/// Protobuf's own JSON mapping writes 64-bit integers (task ids, ages in milliseconds, byte counts) as strings,
/// so a script would read <c>"id":"42"</c> from <c>status</c> and <c>"id":42</c> from <c>run</c>; here they are
/// numbers, like <c>run</c>'s. Ids stay far below 2^53, so no reader loses digits. Zeros are written because the
/// protobuf default leaves out worker 0, core 0 and an empty queue, which a script would take for missing fields.
/// Enums are written by name; an unset message field is <c>null</c>.
/// </remarks>
internal static class StatusJson
{
    private static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Format(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            WriteMessage(json, message);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteMessage(Utf8JsonWriter json, IMessage message)
    {
        json.WriteStartObject();
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            json.WritePropertyName(field.JsonName);
            var value = field.Accessor.GetValue(message);
            if (field.IsMap)
            {
                json.WriteStartObject();
                foreach (System.Collections.DictionaryEntry entry in (System.Collections.IDictionary)value)
                {
                    json.WritePropertyName(Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture)!);
                    WriteValue(json, field.MessageType.FindFieldByNumber(2), entry.Value);
                }

                json.WriteEndObject();
            }
            else if (field.IsRepeated)
            {
                json.WriteStartArray();
                foreach (var item in (System.Collections.IEnumerable)value)
                {
                    WriteValue(json, field, item);
                }

                json.WriteEndArray();
            }
            else if (field.FieldType == FieldType.Message && !field.Accessor.HasValue(message))
            {
                json.WriteNullValue();
            }
            else
            {
                WriteValue(json, field, value);
            }
        }

        json.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter json, FieldDescriptor field, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case IMessage message:
                WriteMessage(json, message);
                break;
            case string text:
                json.WriteStringValue(text);
                break;
            case bool flag:
                json.WriteBooleanValue(flag);
                break;
            case ByteString bytes:
                json.WriteBase64StringValue(bytes.Span);
                break;
            case int or long or uint or ulong when field.FieldType != FieldType.Enum:
                json.WriteRawValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!);
                break;
            case float or double:
                var number = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
                if (value is float single && float.IsFinite(single))
                {
                    // As a float, so 12.3 reads 12.3 and not 12.300000190734863.
                    json.WriteNumberValue(single);
                }
                else if (double.IsFinite(number))
                {
                    json.WriteNumberValue(number);
                }
                else
                {
                    // JSON has no NaN or Infinity; protobuf's mapping writes them as these strings.
                    json.WriteStringValue(double.IsNaN(number) ? "NaN" : number > 0 ? "Infinity" : "-Infinity");
                }

                break;
            default:
                // An enum: its name, as protobuf's JSON mapping writes it.
                var number32 = Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
                var name = field.EnumType?.FindValueByNumber(number32)?.Name;
                if (name is null)
                {
                    json.WriteNumberValue(number32);
                }
                else
                {
                    json.WriteStringValue(name);
                }

                break;
        }
    }
}
