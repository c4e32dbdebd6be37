using System.Text;
using System.Text.Json;

namespace FuncExec.TaskFiles;

/// <summary>
/// Reads a JSON task file one task at a time (see <see cref="ITaskFileStream"/>). The file's
/// UTF-8 bytes are held (one byte a character, for line and column numbers), but never the
/// tree of its values.
/// </summary>
internal sealed class JsonTaskFileStream : ITaskFileStream
{
    private const string TasksKey = "tasks";

    private readonly byte[] _utf8;
    private readonly Utf8LineMap _lines;
    private readonly string _path;
    private readonly bool _empty;

    // Where the next read goes on: a reader cannot live in a field, so each call makes one from these.
    private long _offset;
    private JsonReaderState _state = new(JsonTaskFileParser.Options);
    private TaskFileSequence? _streamed;
    private TaskFileMapping? _root;

    private JsonTaskFileStream(byte[] utf8, string path, bool empty)
    {
        _utf8 = utf8;
        _lines = new Utf8LineMap(utf8);
        _path = path;
        _empty = empty;
    }

    /// <summary>Makes streams over <paramref name="text"/>, each read from its start, naming <paramref name="path"/> in errors.</summary>
    public static Func<ITaskFileStream> Opener(string text, string path)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        var empty = string.IsNullOrWhiteSpace(text);
        return () => new JsonTaskFileStream(utf8, path, empty);
    }

    /// <inheritdoc />
    /// <exception cref="TaskFileException">The text is not valid JSON up to there, or an object repeats a key.</exception>
    public TaskFileNode? Start()
    {
        if (_empty)
        {
            return null;
        }

        var reader = Reader();
        try
        {
            reader.Read();
            TaskFileNode result;
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    result = BeginList(ref reader);
                    break;

                case JsonTokenType.StartObject:
                    var (line, column) = _lines.Locate(_offset + reader.TokenStartIndex);
                    _root = new TaskFileMapping(line, column);
                    result = _root;
                    if (!ReadRootEntries(ref reader))
                    {
                        EndDocument(ref reader);
                    }

                    break;

                default:
                    result = JsonTaskFileParser.ReadValue(ref reader, _lines, _path, _offset);
                    EndDocument(ref reader);
                    break;
            }

            Save(ref reader);
            return result;
        }
        catch (JsonException e)
        {
            throw Invalid(e);
        }
    }

    /// <inheritdoc />
    public TaskFileNode? NextTask()
    {
        if (_streamed is null)
        {
            return null;
        }

        var reader = Reader();
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.EndArray)
            {
                var task = JsonTaskFileParser.ReadValue(ref reader, _lines, _path, _offset);
                Save(ref reader);
                return task;
            }

            _streamed = null;
            if (_root is not null)
            {
                ReadRootEntries(ref reader);
            }

            EndDocument(ref reader);
            Save(ref reader);
            return null;
        }
        catch (JsonException e)
        {
            throw Invalid(e);
        }
    }

    private Utf8JsonReader Reader() => new(_utf8.AsSpan(checked((int)_offset)), isFinalBlock: true, _state);

    private void Save(ref Utf8JsonReader reader)
    {
        _offset += reader.BytesConsumed;
        _state = reader.CurrentState;
    }

    private TaskFileException Invalid(JsonException e)
    {
        var (line, column) = _lines.Locate(e.LineNumber ?? 0, e.BytePositionInLine ?? 0);
        return new TaskFileException(_path, line, column, $"invalid JSON: {JsonTaskFileParser.WithoutPosition(e.Message)}", e);
    }

    private TaskFileSequence BeginList(ref Utf8JsonReader reader)
    {
        var (line, column) = _lines.Locate(_offset + reader.TokenStartIndex);
        _streamed = new TaskFileSequence(line, column, isStreamed: true);
        return _streamed;
    }

    /// <summary>Reads the top-level object's properties up to its end, or up to the first task of a
    /// <c>tasks</c> array (then true: the array is streamed, and this is called again after it).</summary>
    private bool ReadRootEntries(ref Utf8JsonReader reader)
    {
        var root = _root!;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var (keyLine, keyColumn) = _lines.Locate(_offset + reader.TokenStartIndex);
            var key = new TaskFileScalar(JsonTaskFileParser.GetString(ref reader, _path, keyLine, keyColumn), isQuoted: true, keyLine, keyColumn);
            reader.Read();
            if (key.Text == TasksKey && root.Get(TasksKey) is null && reader.TokenType == JsonTokenType.StartArray)
            {
                root.TryAdd(key, BeginList(ref reader), out _);
                return true;
            }

            var value = JsonTaskFileParser.ReadValue(ref reader, _lines, _path, _offset);
            if (!root.TryAdd(key, value, out var first))
            {
                throw TaskFileErrors.DuplicateKey(_path, key, first);
            }
        }

        return false;
    }

    // Throws on anything but white space and comments after the root value.
    private static void EndDocument(ref Utf8JsonReader reader) => reader.Read();
}
