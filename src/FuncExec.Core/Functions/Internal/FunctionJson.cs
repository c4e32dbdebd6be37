using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace FuncExec.Core.Functions.Internal;

/// <summary>The serializer settings shared by argument conversion and result serialization.</summary>
internal static class FunctionJson
{
    /// <summary>
    /// Case-insensitive property names (task files are written by hand), enums by name, public
    /// fields included so value tuples serialize, and NaN/Infinity written as strings because a
    /// method like <c>Math.Sqrt(-1)</c> must still produce a result.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNameCaseInsensitive = true,
            IncludeFields = true,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly();
        return options;
    }
}
