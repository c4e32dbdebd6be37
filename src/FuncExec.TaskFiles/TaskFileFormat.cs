namespace FuncExec.TaskFiles;

/// <summary>The syntax a task file is written in.</summary>
internal enum TaskFileFormat
{
    /// <summary>YAML 1.2 with the core schema; files ending in <c>.yaml</c> or <c>.yml</c>.</summary>
    Yaml,

    /// <summary>JSON, with comments and trailing commas allowed; files ending in <c>.json</c>.</summary>
    Json,
}
