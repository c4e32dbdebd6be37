using System.Buffers.Text;

namespace FuncExec.Core.Functions.Internal;

/// <summary>
/// The JSON of a map of <see cref="int"/> to <see cref="int"/> in the exact form FuncExec itself writes it: arguments
/// <c>[[1],[2],[-3]]</c> and results <c>[1,4,9]</c>, with no white space. Reading that form takes a scan, not a JSON reader.
/// </summary>
/// <remarks>
/// Only that form is read here: anything else (white space, an exponent, a leading zero, a number out of range, a
/// second argument, bytes that are not JSON at all) makes the reader return false, and the caller reads the chunk with
/// the JSON reader as always, which accepts or refuses it in its own words. What is written is what
/// <see cref="System.Text.Json.Utf8JsonWriter"/> writes for the same numbers.
/// </remarks>
internal static class Int32Chunks
{
    /// <summary>Reads <c>[[a],[b],...]</c> into a new array; false for any other text.</summary>
    public static bool TryReadArguments(ReadOnlySpan<byte> json, out int[] items)
    {
        items = [];
        if (json.Length < 2 || json[0] != (byte)'[')
        {
            return false;
        }

        if (json.Length == 2)
        {
            return json[1] == (byte)']';
        }

        // Each item is at least "[0]," : at most (length / 4) of them.
        var values = new int[json.Length / 4];
        var count = 0;
        var at = 1;
        while (true)
        {
            if (json[at] != (byte)'[' || !TryReadNumber(json, at + 1, out values[count], out at) || at >= json.Length || json[at] != (byte)']')
            {
                return false;
            }

            count++;
            at++;
            if (at >= json.Length)
            {
                return false;
            }

            if (json[at] == (byte)']')
            {
                if (at != json.Length - 1)
                {
                    return false;
                }

                items = values.AsSpan(0, count).ToArray();
                return true;
            }

            if (json[at] != (byte)',' || ++at >= json.Length || count == values.Length)
            {
                return false;
            }
        }
    }

    /// <summary>Reads <c>[a,b,...]</c> of exactly <paramref name="destination"/>'s length into it; false for any other text
    /// (the destination may then hold some of it).</summary>
    public static bool TryReadResults(ReadOnlySpan<byte> json, Span<int> destination)
    {
        if (json.Length < 2 || json[0] != (byte)'[' || json[^1] != (byte)']')
        {
            return false;
        }

        if (json.Length == 2)
        {
            return destination.IsEmpty;
        }

        var at = 1;
        for (var i = 0; i < destination.Length; i++)
        {
            if (!TryReadNumber(json, at, out destination[i], out at) || at >= json.Length)
            {
                return false;
            }

            if (i == destination.Length - 1)
            {
                return at == json.Length - 1;
            }

            if (json[at] != (byte)',')
            {
                return false;
            }

            at++;
        }

        return false;
    }

    /// <summary>Writes <c>[a,b,...]</c>, the bytes of the JSON writer for those numbers.</summary>
    public static byte[] WriteResults(ReadOnlySpan<int> values)
    {
        // At most 11 characters a number ("-2147483648") and its comma, and the brackets.
        Span<byte> span = new byte[(values.Length * 12) + 2];
        var at = 0;
        span[at++] = (byte)'[';
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                span[at++] = (byte)',';
            }

            Utf8Formatter.TryFormat(values[i], span[at..], out var written);
            at += written;
        }

        span[at++] = (byte)']';
        return span[..at].ToArray();
    }

    // A JSON number that is an int with no fraction or exponent: -?(0|[1-9][0-9]*), in range. Stops at the first byte after it.
    private static bool TryReadNumber(ReadOnlySpan<byte> json, int at, out int value, out int end)
    {
        value = 0;
        end = at;
        var negative = false;
        if (at < json.Length && json[at] == (byte)'-')
        {
            negative = true;
            at++;
        }

        var start = at;
        long number = 0;
        while (at < json.Length && (uint)(json[at] - '0') is var digit and <= 9)
        {
            number = (number * 10) + digit;
            at++;
            if (at - start > 10)
            {
                return false;
            }
        }

        var digits = at - start;
        if (digits == 0 || (digits > 1 && json[start] == (byte)'0'))
        {
            return false;
        }

        if (at < json.Length && json[at] is (byte)'.' or (byte)'e' or (byte)'E')
        {
            return false;
        }

        number = negative ? -number : number;
        if (number is < int.MinValue or > int.MaxValue)
        {
            return false;
        }

        value = (int)number;
        end = at;
        return true;
    }
}
