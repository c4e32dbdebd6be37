namespace FuncExec.TaskFiles;

/// <summary>Reads task files: lists of function calls written in YAML or JSON.</summary>
/// <remarks>
/// <para>
/// A task file holds either a list of tasks, or a mapping with <c>tasks:</c> (the list) and
/// optional <c>defaults:</c> (any of <c>cores</c>, <c>priority</c>, <c>timeout</c>,
/// <c>retries</c> and <c>assembly</c>, applied to every task that does not set them).
/// </para>
/// <para>
/// A task is a mapping with exactly one of:
/// <list type="bullet">
/// <item><c>function</c>: a public static method's full name, e.g. <c>System.Math.Max</c>, with
/// optional <c>params</c> (a list of values, or one scalar for a single parameter) and
/// <c>assembly</c> (the .dll that holds it; a relative path resolves against the task file's
/// directory);</item>
/// <item><c>code</c>: C# source, with optional <c>params</c>;</item>
/// <item><c>command</c>: an executable, with optional <c>args</c> (a list of scalars, each
/// passed as the text written).</item>
/// </list>
/// and optionally <c>name</c> (default <c>task-N</c> by 1-based position, unique in the file),
/// <c>cores</c> (integer &gt;= 1, default 1), <c>priority</c> (integer, default 0),
/// <c>retries</c> (integer &gt;= 0, default 0) and <c>timeout</c> (seconds like <c>2.5</c>, or
/// <c>500ms</c>, <c>10s</c>, <c>2m</c>, <c>1h</c>, <c>hh:mm:ss</c>; greater than 0 and at most
/// 24 days; <c>null</c> clears a default; none by default).
/// </para>
/// <para>
/// Values follow the YAML 1.2 core schema in both formats: plain <c>3</c> is an integer,
/// <c>2.5</c> a float, <c>true</c>/<c>false</c> booleans, <c>null</c>/<c>~</c>/nothing null,
/// and anything quoted is a string. Params become <see cref="System.Text.Json.JsonElement"/>s;
/// integers stay integers. JSON files may hold comments and trailing commas.
/// </para>
/// </remarks>
internal static class TaskFileReader
{
    /// <summary>Reads the task file at <paramref name="path"/>, its format chosen by extension:
    /// <c>.yaml</c> or <c>.yml</c> for YAML, <c>.json</c> for JSON.</summary>
    /// <param name="path">The task file.</param>
    /// <returns>Its tasks in file order.</returns>
    /// <exception cref="TaskFileException">The file cannot be read, has another extension, or
    /// is not a valid task file; the exception gives the line and column of the problem.</exception>
    public static IReadOnlyList<TaskSpec> Read(string path)
    {
        using var file = TaskFile.Open(path);
        return [.. file.ReadTasks()];
    }

    /// <summary>The syntax of the file at <paramref name="path"/>, by its extension.</summary>
    /// <exception cref="TaskFileException">The extension is not .yaml, .yml or .json.</exception>
    internal static TaskFileFormat FormatOf(string path)
    {
        var extension = Path.GetExtension(path);
        if (extension.Equals(".yaml", StringComparison.OrdinalIgnoreCase) || extension.Equals(".yml", StringComparison.OrdinalIgnoreCase))
        {
            return TaskFileFormat.Yaml;
        }

        if (extension.Equals(".json", StringComparison.OrdinalIgnoreCase))
        {
            return TaskFileFormat.Json;
        }

        var actual = extension.Length == 0 ? "no extension" : $"the extension '{extension}'";
        throw new TaskFileException(path, 0, 0, $"a task file must end in .yaml, .yml or .json; this one has {actual}");
    }

    /// <summary>Reads task file text already in memory.</summary>
    /// <param name="text">The file's content.</param>
    /// <param name="path">The file's path, used in error messages and <see cref="TaskSpec.Source"/>,
    /// and as the base of relative assembly paths.</param>
    /// <param name="format">The syntax of <paramref name="text"/>.</param>
    /// <returns>Its tasks in file order.</returns>
    /// <exception cref="TaskFileException">The text is not a valid task file; the exception gives
    /// the line and column of the problem.</exception>
    public static IReadOnlyList<TaskSpec> Parse(string text, string path, TaskFileFormat format)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(path);

        using var file = TaskFile.FromText(text, path, format);
        return [.. file.ReadTasks()];
    }

    /// <summary>Reads one task written as a JSON object with the keys a task file's task has
    /// (a message on a task queue, say).</summary>
    /// <param name="json">The object's text.</param>
    /// <param name="source">Where the task came from, named in error messages and <see cref="TaskSpec.Source"/>.</param>
    /// <param name="defaultName">The task's name when it sets none.</param>
    /// <param name="baseDirectory">The directory relative assembly paths resolve against.</param>
    /// <exception cref="TaskFileException">The text is not JSON, not an object, or not a valid task.</exception>
    public static TaskSpec ParseTask(string json, string source, string defaultName, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentException.ThrowIfNullOrEmpty(defaultName);
        ArgumentException.ThrowIfNullOrEmpty(baseDirectory);
        var root = JsonTaskFileParser.Parse(json.TrimStart('\uFEFF'), source);
        return new TaskFileValidator(source, baseDirectory).ValidateTask(root, defaultName);
    }

    internal static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new TaskFileException(path, 0, 0, "task file not found; check the path", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new TaskFileException(path, 0, 0, $"cannot read the task file: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new TaskFileException(path, 0, 0, $"cannot read the task file: {e.Message}", e);
        }
    }
}
