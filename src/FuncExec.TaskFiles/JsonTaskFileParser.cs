using System.Text;
using System.Text.Json;

namespace FuncExec.TaskFiles;

/// <summary>Reads JSON text into <see cref="TaskFileNode"/>s with the line and column of each.</summary>
internal static class JsonTaskFileParser
{
    internal static readonly JsonReaderOptions Options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>The root node, or null if the text holds nothing but white space.</summary>
    /// <exception cref="TaskFileException">The text is not valid JSON or an object repeats a key.</exception>
    public static TaskFileNode? Parse(string text, string path)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var utf8 = Encoding.UTF8.GetBytes(text);
        var lines = new Utf8LineMap(utf8);
        var reader = new Utf8JsonReader(utf8, Options);
        try
        {
            reader.Read();
            var root = ReadValue(ref reader, lines, path, 0);

            // Throws on anything but white space and comments after the root value.
            reader.Read();
            return root;
        }
        catch (JsonException e)
        {
            var (line, column) = lines.Locate(e.LineNumber ?? 0, e.BytePositionInLine ?? 0);
            throw new TaskFileException(path, line, column, $"invalid JSON: {WithoutPosition(e.Message)}", e);
        }
    }

    /// <summary>Reads the value whose first token <paramref name="reader"/> is on; <paramref name="offset"/> is where the
    /// reader's bytes start in the text <paramref name="lines"/> maps.</summary>
    internal static TaskFileNode ReadValue(ref Utf8JsonReader reader, Utf8LineMap lines, string path, long offset)
    {
        var (line, column) = lines.Locate(offset + reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var mapping = new TaskFileMapping(line, column);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var (keyLine, keyColumn) = lines.Locate(offset + reader.TokenStartIndex);
                    var key = new TaskFileScalar(GetString(ref reader, path, keyLine, keyColumn), isQuoted: true, keyLine, keyColumn);
                    reader.Read();
                    var value = ReadValue(ref reader, lines, path, offset);
                    if (!mapping.TryAdd(key, value, out var first))
                    {
                        throw TaskFileErrors.DuplicateKey(path, key, first);
                    }
                }

                return mapping;

            case JsonTokenType.StartArray:
                var sequence = new TaskFileSequence(line, column);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    sequence.Add(ReadValue(ref reader, lines, path, offset));
                }

                return sequence;

            case JsonTokenType.String:
                return new TaskFileScalar(GetString(ref reader, path, line, column), isQuoted: true, line, column);

            case JsonTokenType.Number:
                // Numbers are never escaped, so their bytes are their text.
                return new TaskFileScalar(Encoding.UTF8.GetString(reader.ValueSpan), isQuoted: false, line, column);

            case JsonTokenType.True:
                return new TaskFileScalar("true", isQuoted: false, line, column);

            case JsonTokenType.False:
                return new TaskFileScalar("false", isQuoted: false, line, column);

            default:
                return new TaskFileScalar("null", isQuoted: false, line, column);
        }
    }

    internal static string GetString(ref Utf8JsonReader reader, string path, int line, int column)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            // An escape such as \uD800 that leaves half of a surrogate pair is only found here.
            throw new TaskFileException(path, line, column, $"invalid JSON: {e.Message}", e);
        }
    }

    // The reader appends " LineNumber: n | BytePositionInLine: m." which the location prefix replaces.
    internal static string WithoutPosition(string message)
    {
        var index = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return index >= 0 ? message[..index] : message;
    }
}
