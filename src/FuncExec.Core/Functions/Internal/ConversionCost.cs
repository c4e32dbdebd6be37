using System.Collections;
using System.Text.Json;

namespace FuncExec.Core.Functions.Internal;

/// <summary>
/// How well a JSON argument of a given shape fits a parameter type: lower is better, <see cref="None"/>
/// means it does not fit. Overload resolution compares these per argument, as C# compares conversions.
/// </summary>
/// <remarks>
/// The orders follow C#'s preferences where C# has one: an integer prefers <c>int</c>, then
/// <c>long</c>, then the other integer types, then <c>double</c>, <c>float</c>, <c>decimal</c>; a
/// number with a fraction prefers <c>double</c>; a string prefers <c>string</c> over the types parsed
/// from it; an array prefers <c>T[]</c> over the collection interfaces. A nullable value type costs a
/// little more than the type itself, and <see cref="JsonElement"/> and <see cref="object"/> accept
/// anything at the highest cost.
/// </remarks>
internal static class ConversionCost
{
    public const long None = -1;

    private const long JsonElementCost = 100_000;
    private const long ObjectCost = 100_001;
    private const long OtherTypeCost = 20;

    public static long Of(ArgShape shape, Type target)
    {
        if (target.IsByRef || target.IsPointer || target.IsByRefLike || target.ContainsGenericParameters)
        {
            return None;
        }

        if (target == typeof(JsonElement))
        {
            return JsonElementCost;
        }

        if (target == typeof(object))
        {
            return ObjectCost;
        }

        var underlying = Nullable.GetUnderlyingType(target);
        var acceptsNull = underlying is not null || !target.IsValueType;
        if (shape.Kind == ShapeKind.Null)
        {
            return acceptsNull ? 0 : None;
        }

        if (shape.HasNull && !acceptsNull)
        {
            return None;
        }

        var type = underlying ?? target;
        var cost = shape.Kind switch
        {
            ShapeKind.Bool => type == typeof(bool) ? 0 : None,
            ShapeKind.Number => NumberCost(shape.Fits, type),
            ShapeKind.String => StringCost(shape.SingleChar, type),
            ShapeKind.Object => IsObjectTarget(type) ? 0 : None,
            ShapeKind.Array => ArrayCost(shape.Element!, type),
            ShapeKind.Empty => EmptyElementCost(type),
            _ => None,
        };

        if (cost == None)
        {
            return None;
        }

        return underlying is null ? cost * 2 : (cost * 2) + 1;
    }

    /// <summary>True for types a JSON object deserializes into: classes, records, structs and dictionaries.</summary>
    public static bool IsObjectTarget(Type type)
    {
        if (type.IsPrimitive || type.IsEnum || type.IsArray || type.IsPointer || type.IsByRef || type.IsByRefLike
            || type.ContainsGenericParameters || type == typeof(string) || type == typeof(decimal)
            || IsParsedFromString(type) || typeof(Delegate).IsAssignableFrom(type))
        {
            return false;
        }

        if (type.IsInterface)
        {
            return IsDictionary(type);
        }

        if (type.IsAbstract)
        {
            return false;
        }

        // Collections other than dictionaries come from JSON arrays, not objects.
        return !typeof(IEnumerable).IsAssignableFrom(type) || HasDictionaryInterface(type);
    }

    private static long NumberCost(NumericTargets fits, Type type)
    {
        var (needed, cost) = Type.GetTypeCode(type) switch
        {
            TypeCode.Int32 => (NumericTargets.Int32, 0),
            TypeCode.Int64 => (NumericTargets.Int64, 1),
            TypeCode.UInt32 => (NumericTargets.UInt32, 2),
            TypeCode.UInt64 => (NumericTargets.UInt64, 3),
            TypeCode.Int16 => (NumericTargets.Int16, 4),
            TypeCode.UInt16 => (NumericTargets.UInt16, 5),
            TypeCode.SByte => (NumericTargets.SByte, 6),
            TypeCode.Byte => (NumericTargets.Byte, 7),
            TypeCode.Double => (NumericTargets.Double, 8),
            TypeCode.Single => (NumericTargets.Single, 9),
            TypeCode.Decimal => (NumericTargets.Decimal, 10),
            _ => (NumericTargets.None, 0),
        };

        // GetTypeCode reports an enum's underlying type; enums never take numbers.
        return needed != NumericTargets.None && !type.IsEnum && (fits & needed) != 0 ? cost : None;
    }

    private static long StringCost(bool singleChar, Type type)
    {
        if (type == typeof(string))
        {
            return 0;
        }

        if (type == typeof(char))
        {
            return singleChar ? 1 : None;
        }

        if (type.IsEnum)
        {
            return 2;
        }

        return type == typeof(Guid) ? 3
            : type == typeof(DateTime) ? 4
            : type == typeof(DateTimeOffset) ? 5
            : type == typeof(TimeSpan) ? 6
            : type == typeof(DateOnly) ? 7
            : type == typeof(TimeOnly) ? 8
            : None;
    }

    private static long ArrayCost(ArgShape element, Type type)
    {
        if (!CollectionTypes.TryGetElementType(type, out var elementType, out var kind))
        {
            return None;
        }

        var elementCost = Of(element, elementType);
        return elementCost == None ? None : (elementCost * 8) + (long)kind;
    }

    private static long EmptyElementCost(Type type)
    {
        // An empty array fits any element type; ranking its elements as small integers makes
        // Enumerable.Sum([]) pick the int overload instead of being ambiguous.
        var number = NumberCost(NumericTargets.All, type);
        return number != None ? number : OtherTypeCost;
    }

    private static bool IsParsedFromString(Type type) =>
        type == typeof(Guid) || type == typeof(DateTime) || type == typeof(DateTimeOffset)
        || type == typeof(TimeSpan) || type == typeof(DateOnly) || type == typeof(TimeOnly);

    private static bool IsDictionary(Type type)
    {
        if (!type.IsGenericType)
        {
            return false;
        }

        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>);
    }

    private static bool HasDictionaryInterface(Type type)
    {
        foreach (var candidate in type.GetInterfaces())
        {
            if (IsDictionary(candidate))
            {
                return true;
            }
        }

        return false;
    }
}
