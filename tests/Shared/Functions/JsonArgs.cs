using System.Text;
using System.Text.Json;
using FuncExec.Core.Functions;

namespace FuncExec.Tests.Functions;

/// <summary>Arguments written as one JSON array, as they travel on the wire.</summary>
internal static class JsonArgs
{
    public static JsonElement[] Of(string json) => ParamParser.FromJsonArray(Encoding.UTF8.GetBytes(json).AsSpan());
}
