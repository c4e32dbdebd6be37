using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace FuncExec.Core.Functions.Internal;

/// <summary>
/// What overload resolution needs to know about a JSON argument: its kind, which numeric types
/// a number fits, whether a string is one character, and for an array the merged shape of its items.
/// </summary>
/// <remarks>
/// Two argument lists with the same shapes resolve to the same overload, so the shape is also the
/// resolution cache key (<see cref="AppendKey"/>). Scalar shapes are shared instances, which keeps
/// a cache hit free of allocations.
/// </remarks>
internal sealed class ArgShape
{
    private static readonly ArgShape[] Numbers = new ArgShape[(int)NumericTargets.All + 1];

    private ArgShape(ShapeKind kind, NumericTargets fits = NumericTargets.None, bool singleChar = false, bool hasNull = false, ArgShape? element = null)
    {
        Kind = kind;
        Fits = fits;
        SingleChar = singleChar;
        HasNull = hasNull;
        Element = element;
    }

    public static ArgShape Empty { get; } = new(ShapeKind.Empty);

    public static ArgShape Null { get; } = new(ShapeKind.Null);

    public static ArgShape Bool { get; } = new(ShapeKind.Bool);

    public static ArgShape String { get; } = new(ShapeKind.String);

    public static ArgShape Char { get; } = new(ShapeKind.String, singleChar: true);

    public static ArgShape Object { get; } = new(ShapeKind.Object);

    public static ArgShape Mixed { get; } = new(ShapeKind.Mixed);

    public ShapeKind Kind { get; }

    /// <summary>For <see cref="ShapeKind.Number"/>: the numeric types every value fits.</summary>
    public NumericTargets Fits { get; }

    /// <summary>For <see cref="ShapeKind.String"/>: every value is exactly one UTF-16 character.</summary>
    public bool SingleChar { get; }

    /// <summary>For an array's element shape: some items are null.</summary>
    public bool HasNull { get; }

    /// <summary>For <see cref="ShapeKind.Array"/>: the merged shape of the items.</summary>
    public ArgShape? Element { get; }

    /// <summary>True for a JSON number written without fraction or exponent.</summary>
    public bool IsInteger => (Fits & (NumericTargets.Int64 | NumericTargets.UInt64)) != 0;

    public static ArgShape Of(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => Null,
        JsonValueKind.True or JsonValueKind.False => Bool,
        JsonValueKind.Number => Number(FitsOf(value)),
        JsonValueKind.String => IsSingleChar(value) ? Char : String,
        JsonValueKind.Object => Object,
        JsonValueKind.Array => ArrayOf(value),
        _ => throw new ArgumentException("an argument is an undefined JSON value (a default JsonElement)", nameof(value)),
    };

    public static ArgShape Number(NumericTargets fits)
    {
        // A benign race: two threads may each create the shape, and either instance is correct.
        return Numbers[(int)fits] ??= new ArgShape(ShapeKind.Number, fits);
    }

    public static ArgShape ArrayOf(ArgShape element) => new(ShapeKind.Array, element: element);

    /// <summary>The shape that describes values of both shapes, as items of one array.</summary>
    public static ArgShape Merge(ArgShape a, ArgShape b)
    {
        if (a.Kind == ShapeKind.Empty)
        {
            return b;
        }

        if (b.Kind == ShapeKind.Empty)
        {
            return a;
        }

        if (b.Kind == ShapeKind.Null)
        {
            return a.WithNull();
        }

        if (a.Kind == ShapeKind.Null)
        {
            return b.WithNull();
        }

        var hasNull = a.HasNull || b.HasNull;
        if (a.Kind != b.Kind || a.Kind == ShapeKind.Mixed)
        {
            return hasNull ? new ArgShape(ShapeKind.Mixed, hasNull: true) : Mixed;
        }

        var merged = a.Kind switch
        {
            ShapeKind.Number => a.Fits == b.Fits ? a : Number(a.Fits & b.Fits),
            ShapeKind.String => a.SingleChar && !b.SingleChar ? String : a,
            ShapeKind.Array => ReferenceEquals(a.Element, b.Element) ? a : ArrayOf(Merge(a.Element!, b.Element!)),
            _ => a,
        };
        return hasNull ? merged.WithNull() : merged;
    }

    /// <summary>Writes the shape in a compact form that identifies it, for the resolution cache key.</summary>
    public void AppendKey(ref KeyWriter key)
    {
        switch (Kind)
        {
            case ShapeKind.Empty: key.Append('e'); break;
            case ShapeKind.Null: key.Append('z'); break;
            case ShapeKind.Bool: key.Append('b'); break;
            case ShapeKind.String: key.Append(SingleChar ? 'c' : 's'); break;
            case ShapeKind.Object: key.Append('o'); break;
            case ShapeKind.Mixed: key.Append('m'); break;
            case ShapeKind.Number:
                key.Append('n');
                key.AppendHex((int)Fits, 3);
                break;
            case ShapeKind.Array:
                key.Append('[');
                Element!.AppendKey(ref key);
                key.Append(']');
                break;
        }

        if (HasNull)
        {
            key.Append('?');
        }
    }

    /// <summary>The JSON kind for error messages: integer, number, string, boolean, null, object, or an array of one of them.</summary>
    public string Describe() => Kind switch
    {
        ShapeKind.Null => "null",
        ShapeKind.Bool => "boolean",
        ShapeKind.Number => IsInteger ? "integer" : "number",
        ShapeKind.String => "string",
        ShapeKind.Object => "object",
        ShapeKind.Mixed => "mixed",
        ShapeKind.Empty => "empty",
        _ => Element!.Kind == ShapeKind.Empty ? "[]" : Element.Describe() + "[]",
    };

    private static ArgShape ArrayOf(JsonElement array)
    {
        var element = Empty;
        foreach (var item in array.EnumerateArray())
        {
            element = Merge(element, Of(item));
        }

        return ArrayOf(element);
    }

    private ArgShape WithNull() => HasNull || Kind == ShapeKind.Null
        ? this
        : new ArgShape(Kind, Fits, SingleChar, hasNull: true, Element);

    private static NumericTargets FitsOf(JsonElement number)
    {
        const NumericTargets Floating = NumericTargets.Single | NumericTargets.Double | NumericTargets.Decimal;
        if (number.TryGetInt64(out var value))
        {
            var fits = Floating | NumericTargets.Int64;
            if (value is >= int.MinValue and <= int.MaxValue)
            {
                fits |= NumericTargets.Int32;
            }

            if (value is >= short.MinValue and <= short.MaxValue)
            {
                fits |= NumericTargets.Int16;
            }

            if (value is >= sbyte.MinValue and <= sbyte.MaxValue)
            {
                fits |= NumericTargets.SByte;
            }

            if (value >= 0)
            {
                fits |= NumericTargets.UInt64;
                if (value <= uint.MaxValue)
                {
                    fits |= NumericTargets.UInt32;
                }

                if (value <= ushort.MaxValue)
                {
                    fits |= NumericTargets.UInt16;
                }

                if (value <= byte.MaxValue)
                {
                    fits |= NumericTargets.Byte;
                }
            }

            return fits;
        }

        if (number.TryGetUInt64(out _))
        {
            return Floating | NumericTargets.UInt64;
        }

        // A fraction, an exponent, or an integer beyond 64 bits: only the floating types apply.
        var floating = NumericTargets.None;
        if (number.TryGetDouble(out var d) && double.IsFinite(d))
        {
            floating |= NumericTargets.Double;
            if (Math.Abs(d) <= float.MaxValue)
            {
                floating |= NumericTargets.Single;
            }
        }

        if (number.TryGetDecimal(out _))
        {
            floating |= NumericTargets.Decimal;
        }

        return floating;
    }

    private static bool IsSingleChar(JsonElement value)
    {
        // The raw value keeps its quotes; reading it avoids allocating the string on the cached path.
        var raw = JsonMarshal.GetRawUtf8Value(value);
        var content = raw[1..^1];
        if (content.Length is 0 or > 12)
        {
            return false;
        }

        if (content.IndexOf((byte)'\\') >= 0)
        {
            return value.GetString()!.Length == 1;
        }

        return Encoding.UTF8.GetCharCount(content) == 1;
    }
}
