using System.Collections.Concurrent;
using System.Runtime.Loader;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace FuncExec.Core.Functions.Internal;

/// <summary>The serializer settings shared by argument conversion, result serialization and task messages.</summary>
/// <remarks>
/// Serializer options remember every type they have handled, and nothing clears that memory, so one
/// shared instance would keep each computation's collectible load context from unloading. Types of a
/// collectible context that registered its own options (<see cref="Register"/>) use those instead; they
/// are dropped with the context.
/// </remarks>
internal static class FunctionJson
{
    private static readonly ConcurrentDictionary<AssemblyLoadContext, JsonSerializerOptions> ByContext = new();

    /// <summary>
    /// Case-insensitive property names (task files are written by hand), enums by name, public
    /// fields included so value tuples serialize, and NaN/Infinity written as strings because a
    /// method like <c>Math.Sqrt(-1)</c> must still produce a result.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>New options with the settings of <see cref="Options"/> and a cache of their own.</summary>
    public static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNameCaseInsensitive = true,
            IncludeFields = true,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            // A resolver of its own: options with equal settings and resolver share one cache.
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly();
        return options;
    }

    /// <summary>The options to handle <paramref name="type"/> with: its collectible context's own, when it registered some.</summary>
    public static JsonSerializerOptions OptionsFor(Type type)
    {
        if (!type.IsCollectible || ByContext.IsEmpty)
        {
            return Options;
        }

        return CollectibleContextOf(type) is { } context && ByContext.TryGetValue(context, out var options) ? options : Options;
    }

    /// <summary>Gives types of <paramref name="context"/> options of their own, until <see cref="Unregister"/>.</summary>
    public static void Register(AssemblyLoadContext context) => ByContext.TryAdd(context, Create());

    public static void Unregister(AssemblyLoadContext context) => ByContext.TryRemove(context, out _);

    /// <summary>A method's result as UTF-8 JSON, by its runtime type; <c>null</c> for none.</summary>
    public static byte[] SerializeResult(object? value, bool returnsVoid) =>
        value is null || returnsVoid
            ? "null"u8.ToArray()
            : JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), OptionsFor(value.GetType()));

    // List<Point> is collectible when Point is; the context is the one of its collectible part.
    private static AssemblyLoadContext? CollectibleContextOf(Type type)
    {
        if (type.HasElementType)
        {
            return CollectibleContextOf(type.GetElementType()!);
        }

        if (type.Assembly.IsCollectible)
        {
            return AssemblyLoadContext.GetLoadContext(type.Assembly);
        }

        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments())
            {
                if (argument.IsCollectible && CollectibleContextOf(argument) is { } context)
                {
                    return context;
                }
            }
        }

        return null;
    }
}
