using System.Text.Json.Serialization;

namespace FuncExec.Worker;

/// <summary>What a command task returns.</summary>
internal sealed record CommandOutput(
    [property: JsonPropertyName("exitCode")] int ExitCode,
    [property: JsonPropertyName("stdout")] string Stdout,
    [property: JsonPropertyName("stderr")] string Stderr);

[JsonSerializable(typeof(CommandOutput))]
internal sealed partial class CommandOutputContext : JsonSerializerContext;
