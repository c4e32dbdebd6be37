using System.Runtime.CompilerServices;
using System.Text.Json;

namespace FuncExec.Core.Functions.Internal;

/// <summary>
/// Reads and writes the commonest values of a map (<see cref="int"/>, <see cref="long"/>, <see cref="double"/>,
/// <see cref="bool"/>, <see cref="string"/>) with the reader's and writer's own calls, skipping the serializer's cost per
/// call, which is most of the cost of a tiny item.
/// </summary>
/// <remarks>
/// The bytes written and the values read are those of the serializer with <see cref="FunctionJson.Options"/>; whatever
/// these calls do not handle the same way (a token of another kind, a number out of range, NaN or an infinity, which the
/// options write as strings) makes them return false, and the caller uses the serializer, which reads or refuses it as always.
/// </remarks>
internal static class PrimitiveJson<T>
{
    /// <summary>Whether <typeparamref name="T"/> is one of the types handled here.</summary>
    public static readonly bool Handles =
        typeof(T) == typeof(int) || typeof(T) == typeof(long) || typeof(T) == typeof(double) || typeof(T) == typeof(bool) || typeof(T) == typeof(string);

    /// <summary>Reads the current token as a <typeparamref name="T"/> when it is one of the plain cases; the reader is left
    /// on the token, as the serializer leaves it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryRead(ref Utf8JsonReader reader, out T value)
    {
        value = default!;
        if (typeof(T) == typeof(int))
        {
            if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number))
            {
                value = Unsafe.As<int, T>(ref number);
                return true;
            }
        }
        else if (typeof(T) == typeof(long))
        {
            if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
            {
                value = Unsafe.As<long, T>(ref number);
                return true;
            }
        }
        else if (typeof(T) == typeof(double))
        {
            if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var number) && double.IsFinite(number))
            {
                value = Unsafe.As<double, T>(ref number);
                return true;
            }
        }
        else if (typeof(T) == typeof(bool))
        {
            if (reader.TokenType is JsonTokenType.True or JsonTokenType.False)
            {
                var flag = reader.TokenType == JsonTokenType.True;
                value = Unsafe.As<bool, T>(ref flag);
                return true;
            }
        }
        else if (typeof(T) == typeof(string))
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.Null)
            {
                value = (T)(object)reader.GetString()!;
                return true;
            }
        }

        return false;
    }

    /// <summary>Writes <paramref name="value"/> when it is one of the plain cases.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryWrite(Utf8JsonWriter writer, T value)
    {
        if (typeof(T) == typeof(int))
        {
            writer.WriteNumberValue(Unsafe.As<T, int>(ref value));
            return true;
        }

        if (typeof(T) == typeof(long))
        {
            writer.WriteNumberValue(Unsafe.As<T, long>(ref value));
            return true;
        }

        if (typeof(T) == typeof(double))
        {
            var number = Unsafe.As<T, double>(ref value);
            if (!double.IsFinite(number))
            {
                return false;
            }

            writer.WriteNumberValue(number);
            return true;
        }

        if (typeof(T) == typeof(bool))
        {
            writer.WriteBooleanValue(Unsafe.As<T, bool>(ref value));
            return true;
        }

        if (typeof(T) == typeof(string))
        {
            if (value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteStringValue((string)(object)value);
            }

            return true;
        }

        return false;
    }
}
