using System.Text.Json;
using FuncExec.Core.Functions.Internal;

namespace FuncExec.Core.Functions;

/// <summary>The JSON settings FuncExec writes and reads arguments, results and messages with.</summary>
/// <remarks>Property names match case-insensitively, enums travel by name, public fields are
/// included, and NaN and the infinities travel as strings.</remarks>
internal static class FuncExecJson
{
    /// <summary>The shared, read-only options.</summary>
    public static JsonSerializerOptions Options => FunctionJson.Options;

    /// <summary>A task's result as UTF-8 JSON, written as its runtime type; <c>null</c> for none.</summary>
    /// <exception cref="ResultNotSerializableException">The value is not data JSON can carry; the message names its type.</exception>
    public static byte[] SerializeResult(object? value) => FunctionJson.SerializeResult(value, returnsVoid: false);
}
