
namespace FuncExec.TaskFiles;

/// <summary>Problems both parsers report, worded the same for YAML and JSON.</summary>
internal static class TaskFileErrors
{
    /// <summary>How deep a file may nest; as deep as <see cref="System.Text.Json.Utf8JsonReader"/> allows by default.</summary>
    public const int MaxDepth = 64;

    /// <summary>A mapping names <paramref name="key"/> a second time.</summary>
    public static TaskFileException DuplicateKey(string path, TaskFileScalar key, TaskFileScalar first) =>
        new(path, key.Line, key.Column, $"duplicate key '{key.Text}' (first at line {first.Line}); keep only one");
}
