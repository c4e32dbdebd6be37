using System.Collections.Concurrent;
using System.Reflection;
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

    // The serializer also keeps the accessors it emits for each type's members in a static cache that
    // evicts expired entries only when it is next used (dotnet/runtime#65323), so an unloaded context's
    // types stay rooted until some later serialization of a new type. The serializer's hot-reload handler
    // clears that cache; it is internal, hence found by name, and unloading merely waits when it is gone.
    private static readonly Action<Type[]?>? ClearSerializerCaches = typeof(JsonSerializer).Assembly
        .GetType("System.Text.Json.JsonSerializerOptionsUpdateHandler")
        ?.GetMethod("ClearCache", BindingFlags.Public | BindingFlags.Static, [typeof(Type[])])
        ?.CreateDelegate<Action<Type[]?>>();

    /// <summary>
    /// Case-insensitive property names (task files are written by hand), enums by name, public
    /// fields included so value tuples serialize, NaN/Infinity written as strings because a
    /// method like <c>Math.Sqrt(-1)</c> must still produce a result, and text other than ASCII
    /// written as it is, not escaped.
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
            // Results are read by people (funcexec run's output) and by JSON parsers, never embedded
            // in HTML: "héllo" stays readable instead of "h\u00E9llo".
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
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

    /// <summary>Drops the options of <paramref name="context"/>'s types and the serializer's caches of their members.</summary>
    public static void Unregister(AssemblyLoadContext context)
    {
        if (ByContext.TryRemove(context, out _))
        {
            ClearSerializerCaches?.Invoke(null);
        }
    }

    /// <summary>A method's result as UTF-8 JSON, by its runtime type; <c>null</c> for none.</summary>
    /// <exception cref="ResultNotSerializableException">The value is not data JSON can carry; the message names its type.</exception>
    public static byte[] SerializeResult(object? value, bool returnsVoid)
    {
        if (value is null || returnsVoid)
        {
            return "null"u8.ToArray();
        }

        var type = value.GetType();
        try
        {
            return JsonSerializer.SerializeToUtf8Bytes(value, type, OptionsFor(type));
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or JsonException or ArgumentException)
        {
            throw NotSerializable(type, ex);
        }
    }

    /// <summary>The error of a result of <paramref name="type"/> the serializer could not write.</summary>
    public static ResultNotSerializableException NotSerializable(Type type, Exception ex) =>
        new(
            $"the task returned a {TypeNames.Format(type)}, which cannot be written as JSON: {ex.Message} "
            + "Return data (numbers, strings, arrays, lists, records), or write large or binary output to a file and return its path.",
            ex);

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
