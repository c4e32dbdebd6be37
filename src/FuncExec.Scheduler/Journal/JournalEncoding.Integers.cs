using System.Buffers;
using System.Runtime.CompilerServices;

namespace FuncExec.Scheduler.Journal;

// The compact form's writing side: reading a chunk's JSON and writing its integers in one pass.
internal static partial class JournalEncoding
{
    /// <summary>A chunk's integers as zigzag varints of their differences, in a buffer from the shared pool (given back
    /// when disposed).</summary>
    private sealed class Integers : IDisposable
    {
        private byte[] _buffer;

        private Integers(byte[] buffer, int length, int count)
        {
            _buffer = buffer;
            Length = length;
            Count = count;
        }

        private int Length { get; }

        /// <summary>How many integers.</summary>
        public int Count { get; }

        /// <summary>Their varints.</summary>
        public ReadOnlySpan<byte> Bytes => _buffer.AsSpan(0, Length);

        /// <summary>Reads <paramref name="json"/> and writes its integers, in one pass, when it is exactly
        /// <paramref name="form"/> as FuncExec writes it; null otherwise.</summary>
        public static Integers? TryWrite(ReadOnlySpan<byte> json, byte form)
        {
            if (json.Length < 2 || json[0] != (byte)'[' || json[^1] != (byte)']')
            {
                return null;
            }

            // A varint of a difference of two numbers of d digits takes at most d bytes, and at least one digit and a
            // separator go with each number: the text's length bounds the varints' (10 more for the last, to spare).
            var buffer = ArrayPool<byte>.Shared.Rent(json.Length + 10);
            var written = 0;
            var count = 0;
            if (json.Length > 2 && !TryWriteAll(json, form, buffer, ref written, ref count))
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return null;
            }

            return new Integers(buffer, written, count);
        }

        public void Dispose()
        {
            if (_buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = [];
            }
        }

        private static bool TryWriteAll(ReadOnlySpan<byte> json, byte form, byte[] buffer, ref int written, ref int count)
        {
            var arguments = form == ArgumentsForm;
            var at = 1;
            var end = json.Length - 1;
            long previous = 0;
            while (true)
            {
                if (arguments)
                {
                    if (json[at] != (byte)'[')
                    {
                        return false;
                    }

                    at++;
                }

                if (!TryReadNumber(json, ref at, out var value))
                {
                    return false;
                }

                if (arguments)
                {
                    if (at >= end || json[at] != (byte)']')
                    {
                        return false;
                    }

                    at++;
                }

                var delta = unchecked(value - previous);
                previous = value;
                if (written + 10 > buffer.Length)
                {
                    return false;
                }

                var zigzag = unchecked((ulong)((delta << 1) ^ (delta >> 63)));
                if (zigzag < 0x80)
                {
                    // Items that follow each other: a byte each, written here.
                    buffer[written++] = (byte)zigzag;
                }
                else
                {
                    written += WriteVarint(buffer.AsSpan(written), zigzag);
                }

                count++;
                if (at == end)
                {
                    return true;
                }

                if (json[at] != (byte)',' || ++at >= end)
                {
                    return false;
                }
            }
        }
    }

    // -?(0|[1-9][0-9]*) with at most MaxDigits digits, not "-0", followed by no '.', 'e' or 'E' (the callers check what
    // follows is ',' or a bracket): exactly what Utf8Formatter writes for the value read.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryReadNumber(ReadOnlySpan<byte> json, ref int at, out long value)
    {
        value = 0;
        var negative = json[at] == (byte)'-';
        var start = negative ? at + 1 : at;
        var stop = Math.Min(json.Length, start + MaxDigits + 1);
        var i = start;
        ulong number = 0;
        for (; i < stop; i++)
        {
            var digit = (uint)(json[i] - '0');
            if (digit > 9)
            {
                break;
            }

            number = (number * 10) + digit;
        }

        var digits = i - start;
        if (digits == 0 || digits > MaxDigits || (digits > 1 && json[start] == (byte)'0') || (negative && number == 0))
        {
            return false;
        }

        value = negative ? -(long)number : (long)number;
        at = i;
        return true;
    }

    private static int WriteVarint(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }
}
