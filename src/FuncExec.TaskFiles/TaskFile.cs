using System.Text;

namespace FuncExec.TaskFiles;

/// <summary>
/// A task file checked whole and then read one task at a time, so that a file of a million
/// tasks never holds them all in memory. The format of the file is as <see cref="TaskFileReader"/> describes.
/// </summary>
/// <remarks>
/// <see cref="Open"/> reads the file once to check every task (a malformed file is refused before
/// anything runs) and <see cref="ReadTasks"/> reads it again, from the same open handle, as it is
/// enumerated. A YAML file is read as a stream; a JSON file's UTF-8 bytes are held (one byte a
/// character), never the tree of its values.
/// </remarks>
internal sealed class TaskFile : IDisposable
{
    private readonly TaskFileValidator _validator;
    private readonly Func<ITaskFileStream> _open;
    private readonly TaskFileShape _shape;
    private readonly Stream? _stream;

    private TaskFile(string path, TaskFileValidator validator, Func<ITaskFileStream> open, Stream? stream)
    {
        Path = path;
        _validator = validator;
        _open = open;
        _stream = stream;
        _shape = validator.Check(open());
    }

    /// <summary>The file's path, as given.</summary>
    public string Path { get; }

    /// <summary>How many tasks the file has.</summary>
    public int Count => _shape.Count;

    /// <summary>The most cores any task of the file asks for.</summary>
    public int MaxCores => _shape.WidestCores;

    /// <summary>The name of the (first) task that asks for <see cref="MaxCores"/>.</summary>
    public string WidestTaskName => _shape.WidestName;

    /// <summary>Where that task is written: <c>file:line</c>.</summary>
    public string WidestTaskSource => _shape.WidestSource;

    /// <summary>Opens and checks the task file at <paramref name="path"/>, its format chosen by extension:
    /// <c>.yaml</c> or <c>.yml</c> for YAML, <c>.json</c> for JSON.</summary>
    /// <exception cref="TaskFileException">The file cannot be read, has another extension, or
    /// is not a valid task file; the exception gives the line and column of the problem.</exception>
    public static TaskFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var format = TaskFileReader.FormatOf(path);
        var validator = new TaskFileValidator(path);
        if (format == TaskFileFormat.Json)
        {
            return new TaskFile(path, validator, JsonTaskFileStream.Opener(TaskFileReader.ReadText(path), path), null);
        }

        var stream = OpenStream(path);
        try
        {
            return new TaskFile(path, validator, () => Yaml(stream, path), stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>A task file whose text is in memory.</summary>
    /// <exception cref="TaskFileException">The text is not a valid task file.</exception>
    internal static TaskFile FromText(string text, string path, TaskFileFormat format)
    {
        // File.ReadAllText drops a byte order mark, but text from elsewhere may still have one.
        text = text.TrimStart('\uFEFF');
        Func<ITaskFileStream> open = format switch
        {
            TaskFileFormat.Yaml => () => new YamlTaskFileParser(new StringReader(text), path),
            TaskFileFormat.Json => JsonTaskFileStream.Opener(text, path),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown task file format"),
        };
        return new TaskFile(path, new TaskFileValidator(path), open, null);
    }

    /// <summary>The file's tasks in file order, read as they are enumerated. Enumerate once at a time.</summary>
    /// <exception cref="TaskFileException">The file changed since it was checked and is no longer valid.</exception>
    public IEnumerable<TaskSpec> ReadTasks() => _validator.Read(_open(), _shape.Defaults);

    /// <summary>Closes the file.</summary>
    public void Dispose() => _stream?.Dispose();

    private static YamlTaskFileParser Yaml(Stream stream, string path)
    {
        stream.Position = 0;
        // Left open: the same handle serves the second reading, even if the file is replaced meanwhile.
        var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true);
        return new YamlTaskFileParser(reader, path);
    }

    private static FileStream OpenStream(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new TaskFileException(path, 0, 0, "task file not found; check the path", e);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new TaskFileException(path, 0, 0, $"cannot read the task file: {e.Message}", e);
        }
    }
}
