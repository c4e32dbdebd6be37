using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace FuncExec.Core.Functions.Internal;

/// <summary>
/// Converts a JSON argument to the boxed value of a parameter type. Primitives, strings and the
/// types parsed from strings take direct paths; arrays and lists are built item by item; anything
/// else goes through <see cref="JsonSerializer"/>.
/// </summary>
/// <remarks>
/// A converter throws <see cref="FormatException"/>, <see cref="InvalidOperationException"/> or
/// <see cref="JsonException"/> when the value does not fit; the caller turns that into an
/// argument mismatch. A <see cref="JsonElement"/> parameter receives the caller's element as is.
/// </remarks>
internal static class ArgumentConverters
{
    private static readonly ConcurrentDictionary<Type, Func<JsonElement, object?>> Cache = new();

    private static readonly MethodInfo ToArrayMethod = typeof(ArgumentConverters).GetMethod(nameof(ToArray), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo ToListMethod = typeof(ArgumentConverters).GetMethod(nameof(ToList), BindingFlags.NonPublic | BindingFlags.Static)!;

    // A collectible type is not cached: the cache would keep its load context from unloading.
    public static Func<JsonElement, object?> For(Type type) => type.IsCollectible ? Create(type) : Cache.GetOrAdd(type, static t => Create(t));

    /// <summary>The natural CLR value of a JSON value, for <see cref="object"/> parameters.</summary>
    public static object? Natural(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                if (value.TryGetInt32(out var i))
                {
                    return i;
                }

                if (value.TryGetInt64(out var l))
                {
                    return l;
                }

                return value.GetDouble();
            case JsonValueKind.String:
                return value.GetString();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Undefined:
                throw new InvalidOperationException("the argument is an undefined JSON value");
            default:
                return value;
        }
    }

    private static Func<JsonElement, object?> Create(Type type)
    {
        if (type == typeof(JsonElement))
        {
            return static e => e;
        }

        if (type == typeof(object))
        {
            return Natural;
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            var inner = For(underlying);
            return e => e.ValueKind == JsonValueKind.Null ? null : inner(e);
        }

        if (type.IsEnum)
        {
            return e => ParseEnum(type, e);
        }

        if (Scalar(type) is { } scalar)
        {
            return scalar;
        }

        if (CollectionTypes.TryGetElementType(type, out var elementType, out var kind))
        {
            var build = (CollectionTypes.WantsList(kind) ? ToListMethod : ToArrayMethod)
                .MakeGenericMethod(elementType)
                .CreateDelegate<Func<JsonElement, Func<JsonElement, object?>, object?>>();
            var item = For(elementType);
            return e => e.ValueKind == JsonValueKind.Null ? null : build(e, item);
        }

        var options = FunctionJson.OptionsFor(type);
        return e => e.Deserialize(type, options);
    }

    private static Func<JsonElement, object?>? Scalar(Type type) => Type.GetTypeCode(type) switch
    {
        TypeCode.Int32 => static e => e.GetInt32(),
        TypeCode.Int64 => static e => e.GetInt64(),
        TypeCode.Double => static e => e.GetDouble(),
        TypeCode.String => static e => ReadString(e),
        TypeCode.Boolean => static e => e.GetBoolean(),
        TypeCode.Single => static e => e.GetSingle(),
        TypeCode.Decimal => static e => e.GetDecimal(),
        TypeCode.Int16 => static e => e.GetInt16(),
        TypeCode.UInt16 => static e => e.GetUInt16(),
        TypeCode.UInt32 => static e => e.GetUInt32(),
        TypeCode.UInt64 => static e => e.GetUInt64(),
        TypeCode.Byte => static e => e.GetByte(),
        TypeCode.SByte => static e => e.GetSByte(),
        TypeCode.Char => static e => ReadChar(e),
        TypeCode.DateTime => static e => e.TryGetDateTime(out var d)
            ? d
            : DateTime.Parse(e.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
        _ => type == typeof(Guid) ? static e => Guid.Parse(e.GetString()!, CultureInfo.InvariantCulture)
            : type == typeof(DateTimeOffset) ? static e => e.TryGetDateTimeOffset(out var d)
                ? d
                : DateTimeOffset.Parse(e.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)
            : type == typeof(TimeSpan) ? static e => TimeSpan.Parse(e.GetString()!, CultureInfo.InvariantCulture)
            : type == typeof(DateOnly) ? static e => DateOnly.Parse(e.GetString()!, CultureInfo.InvariantCulture)
            : type == typeof(TimeOnly) ? static e => TimeOnly.Parse(e.GetString()!, CultureInfo.InvariantCulture)
            : null,
    };

    private static string? ReadString(JsonElement value) =>
        value.ValueKind == JsonValueKind.Null ? null : value.GetString();

    private static char ReadChar(JsonElement value)
    {
        var text = value.GetString()!;
        return text.Length == 1 ? text[0] : throw new FormatException($"\"{text}\" is not a single character");
    }

    private static object ParseEnum(Type type, JsonElement value)
    {
        var name = value.GetString()!;

        // Enum.Parse also takes numbers as text; a task names the member.
        if (name.Length == 0 || char.IsAsciiDigit(name[0]) || name[0] is '-' or '+'
            || !Enum.TryParse(type, name, ignoreCase: true, out var result))
        {
            throw new FormatException($"\"{name}\" is not a name of {type.Name} ({string.Join(", ", Enum.GetNames(type))})");
        }

        return result;
    }

    private static T[] ToArray<T>(JsonElement array, Func<JsonElement, object?> item)
    {
        var result = new T[array.GetArrayLength()];
        var i = 0;
        foreach (var value in array.EnumerateArray())
        {
            result[i++] = Read<T>(value, item);
        }

        return result;
    }

    private static List<T> ToList<T>(JsonElement array, Func<JsonElement, object?> item)
    {
        var result = new List<T>(array.GetArrayLength());
        foreach (var value in array.EnumerateArray())
        {
            result.Add(Read<T>(value, item));
        }

        return result;
    }

    private static T Read<T>(JsonElement value, Func<JsonElement, object?> item)
    {
        // The JIT folds these tests per T, so the common element types are read without boxing.
        if (typeof(T) == typeof(int))
        {
            return (T)(object)value.GetInt32();
        }

        if (typeof(T) == typeof(long))
        {
            return (T)(object)value.GetInt64();
        }

        if (typeof(T) == typeof(double))
        {
            return (T)(object)value.GetDouble();
        }

        if (typeof(T) == typeof(bool))
        {
            return (T)(object)value.GetBoolean();
        }

        return (T)item(value)!;
    }
}
