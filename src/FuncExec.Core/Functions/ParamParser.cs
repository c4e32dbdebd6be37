using System.Buffers;
using System.Text.Json;

namespace FuncExec.Core.Functions;

/// <summary>
/// Turns command-line parameters into JSON arguments, and argument lists into their wire form:
/// one UTF-8 JSON array.
/// </summary>
internal static class ParamParser
{
    /// <summary>
    /// Parses a command-line parameter: as a JSON literal when it is valid JSON (<c>1</c>,
    /// <c>2.5</c>, <c>true</c>, <c>null</c>, <c>[3,9,4]</c>, <c>{"a":1}</c>, <c>"quoted"</c>),
    /// otherwise as the string itself (<c>hello</c> becomes <c>"hello"</c>).
    /// </summary>
    /// <remarks>The result owns its memory and outlives any buffer.</remarks>
    public static JsonElement Parse(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (MayBeJson(token))
        {
            try
            {
                using var document = JsonDocument.Parse(token);
                return document.RootElement.Clone();
            }
            catch (JsonException)
            {
                // Not JSON after all, e.g. "nothing" or "1.2.3": the parameter is a plain string.
            }
        }

        var buffer = new ArrayBufferWriter<byte>(token.Length + 2);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStringValue(token);
        }

        var reader = new Utf8JsonReader(buffer.WrittenSpan);
        return JsonElement.ParseValue(ref reader);
    }

    // A buffer kept beyond this size is dropped after use, so one large argument list does not stay held by its thread.
    private const int KeptBufferBytes = 16 * 1024;

    // Reused by every call on the thread (a submission writes one array per task): only the returned copy is allocated.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_arrayBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_arrayWriter;

    /// <summary>Writes the arguments as one UTF-8 JSON array; an undefined (default) element is written as <c>null</c>.</summary>
    public static byte[] ToJsonArray(IReadOnlyList<JsonElement> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var buffer = t_arrayBuffer ??= new ArrayBufferWriter<byte>(256);
        var writer = t_arrayWriter ??= new Utf8JsonWriter(buffer);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        try
        {
            writer.WriteStartArray();
            for (var i = 0; i < values.Count; i++)
            {
                var value = values[i];
                if (value.ValueKind == JsonValueKind.Undefined)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    value.WriteTo(writer);
                }
            }

            writer.WriteEndArray();
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            // Whatever happened (a disposed document's element throws), the next call starts from an empty writer.
            writer.Reset(buffer);
            buffer.ResetWrittenCount();
            if (buffer.Capacity > KeptBufferBytes)
            {
                t_arrayBuffer = null;
                t_arrayWriter = null;
            }
        }
    }

    /// <summary>Reads a UTF-8 JSON array of arguments; the elements own their memory.</summary>
    /// <exception cref="JsonException">The input is not one JSON array.</exception>
    public static JsonElement[] FromJsonArray(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        var root = JsonElement.ParseValue(ref reader);
        if (reader.Read())
        {
            throw new JsonException("the arguments are followed by more JSON; expected one array");
        }

        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException($"the arguments are a JSON {root.ValueKind.ToString().ToUpperInvariant()}; expected an array");
        }

        var values = new JsonElement[root.GetArrayLength()];
        var i = 0;
        foreach (var value in root.EnumerateArray())
        {
            values[i++] = value;
        }

        return values;
    }

    /// <inheritdoc cref="FromJsonArray(ReadOnlySpan{byte})"/>
    public static JsonElement[] FromJsonArray(ReadOnlyMemory<byte> utf8Json) => FromJsonArray(utf8Json.Span);

    private static bool MayBeJson(string token)
    {
        // A quick look at the first character spares the exception for the common plain word.
        var text = token.AsSpan().TrimStart();
        return !text.IsEmpty && (text[0] is '{' or '[' or '"' or '-' or 't' or 'f' or 'n' || char.IsAsciiDigit(text[0]));
    }
}
