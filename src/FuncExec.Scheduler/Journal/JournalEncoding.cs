using System.Buffers;
using System.Buffers.Text;
using FuncExec.Protocol.V1;
using Google.Protobuf;

namespace FuncExec.Scheduler.Journal;

/// <summary>
/// How a task's spec and its report are kept in a journal: as their protobuf encoding, or, for a map chunk whose
/// arguments or result are integers in the exact JSON form FuncExec writes them (<c>[[1],[2],[-3]]</c> and
/// <c>[1,4,9]</c>), in a compact form that holds the same bytes in a fraction of the space.
/// </summary>
/// <remarks>
/// <para>
/// A chunk's arguments and its result are most of what a map journals (some 7–10 bytes of JSON an item, each chunk written
/// once as its spec and once as its report), and the journal's cost is per byte written. The compact form is
/// <c>0x00</c>, a form byte (<see cref="ArgumentsForm"/> or <see cref="ResultsForm"/>), the varint length of the
/// message's protobuf encoding with that JSON field left empty, that encoding, the varint count of integers, and each
/// integer as the zigzag varint of its difference from the one before it (the first from 0): 1–3 bytes an item for
/// items that follow each other or stay within a few million.
/// </para>
/// <para>
/// A protobuf encoding never starts with a 0 byte (field number 0 is not valid), so the two forms cannot be mistaken
/// for each other, and a journal written before the compact form is read as it was. Only text that the compact form
/// gives back byte for byte is written in it: no white space, no leading zero, no <c>-0</c>, at most 18 digits; any
/// other text is kept as protobuf, as before.
/// </para>
/// </remarks>
internal static class JournalEncoding
{
    /// <summary>A chunk's arguments: <c>[[a],[b],...]</c>, one single-argument array an item.</summary>
    public const byte ArgumentsForm = 1;

    /// <summary>A chunk's result: <c>[a,b,...]</c>.</summary>
    public const byte ResultsForm = 2;

    // The longest number read: 18 digits always fit in a long, so no overflow check is needed.
    private const int MaxDigits = 18;

    /// <summary>A submitted task as the journal keeps it.</summary>
    public static byte[] EncodeSpec(SubmittedTaskSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Assignment is { MapChunk: true } assignment && Integers.TryWrite(assignment.ArgsJson.Span, ArgumentsForm) is { } items)
        {
            using (items)
            {
                // A copy without the arguments: the spec itself is the scheduler's, read by other threads once queued.
                var rest = spec.Clone();
                rest.Assignment.ArgsJson = ByteString.Empty;
                return Compact(rest, ArgumentsForm, items);
            }
        }

        return spec.ToByteArray();
    }

    /// <summary>A submitted task from what <see cref="EncodeSpec"/> wrote, or from its protobuf encoding alone.</summary>
    /// <exception cref="InvalidDataException">The bytes are neither.</exception>
    public static SubmittedTaskSpec DecodeSpec(byte[] blob)
    {
        ArgumentNullException.ThrowIfNull(blob);
        if (!IsCompact(blob))
        {
            return SubmittedTaskSpec.Parser.ParseFrom(blob);
        }

        var (form, message, json) = Expand(blob);
        if (form != ArgumentsForm)
        {
            throw new InvalidDataException($"a journaled task in the compact form holds form {form}, not a chunk's arguments");
        }

        var spec = SubmittedTaskSpec.Parser.ParseFrom(blob, message.Offset, message.Length);
        spec.Assignment ??= new TaskAssignment();
        spec.Assignment.ArgsJson = UnsafeByteOperations.UnsafeWrap(json);
        return spec;
    }

    /// <summary>A finished task's report as the journal keeps it; <paramref name="mapChunk"/> says whether the task was a
    /// map chunk, whose result may take the compact form.</summary>
    public static byte[] EncodeReport(TaskReportMessage report, bool mapChunk)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (mapChunk && Integers.TryWrite(report.ResultJson.Span, ResultsForm) is { } results)
        {
            using (results)
            {
                var json = report.ResultJson;
                report.ResultJson = ByteString.Empty;
                try
                {
                    return Compact(report, ResultsForm, results);
                }
                finally
                {
                    report.ResultJson = json;
                }
            }
        }

        return report.ToByteArray();
    }

    /// <summary>A report from what <see cref="EncodeReport"/> wrote, or from its protobuf encoding alone.</summary>
    /// <exception cref="InvalidDataException">The bytes are neither.</exception>
    public static TaskReportMessage DecodeReport(byte[] blob)
    {
        ArgumentNullException.ThrowIfNull(blob);
        if (!IsCompact(blob))
        {
            return TaskReportMessage.Parser.ParseFrom(blob);
        }

        var (form, message, json) = Expand(blob);
        if (form != ResultsForm)
        {
            throw new InvalidDataException($"a journaled report in the compact form holds form {form}, not a chunk's results");
        }

        var report = TaskReportMessage.Parser.ParseFrom(blob, message.Offset, message.Length);
        report.ResultJson = UnsafeByteOperations.UnsafeWrap(json);
        return report;
    }

    private static bool IsCompact(byte[] blob) => blob.Length > 0 && blob[0] == 0;

    private static byte[] Compact(IMessage rest, byte form, Integers items)
    {
        var size = rest.CalculateSize();
        Span<byte> sizeBytes = stackalloc byte[10];
        Span<byte> countBytes = stackalloc byte[10];
        var sizeLength = WriteVarint(sizeBytes, (ulong)size);
        var countLength = WriteVarint(countBytes, (ulong)items.Count);
        var record = new byte[2 + sizeLength + size + countLength + items.Bytes.Length];
        record[0] = 0;
        record[1] = form;
        var at = 2;
        sizeBytes[..sizeLength].CopyTo(record.AsSpan(at));
        at += sizeLength;
        rest.WriteTo(record.AsSpan(at, size));
        at += size;
        countBytes[..countLength].CopyTo(record.AsSpan(at));
        at += countLength;
        items.Bytes.CopyTo(record.AsSpan(at));
        return record;
    }

    private static (byte Form, (int Offset, int Length) Message, byte[] Json) Expand(byte[] blob)
    {
        if (blob.Length < 2)
        {
            throw Damaged("it ends after its first byte");
        }

        var form = blob[1];
        var at = 2;
        var size = ReadVarint(blob, ref at);
        if (size > (ulong)(blob.Length - at))
        {
            throw Damaged("its message is longer than the record");
        }

        var message = (at, (int)size);
        at += (int)size;
        var count = ReadVarint(blob, ref at);
        // Each integer takes a byte at least: a count above what is left is damage, not a reason to allocate.
        if (count > (ulong)(blob.Length - at))
        {
            throw Damaged("it counts more integers than it holds");
        }

        // An item is at most 20 characters (a sign and 19 digits; a damaged record may hold any long) plus "[", "]" and ",".
        var length = 2 + ((long)count * 23);
        if (length > Array.MaxLength)
        {
            throw Damaged("it counts more integers than a record can hold");
        }

        var json = new byte[length];
        var written = 0;
        json[written++] = (byte)'[';
        long previous = 0;
        for (ulong i = 0; i < count; i++)
        {
            var zigzag = ReadVarint(blob, ref at);
            var value = unchecked(previous + ((long)(zigzag >> 1) ^ -(long)(zigzag & 1)));
            previous = value;
            if (i > 0)
            {
                json[written++] = (byte)',';
            }

            if (form == ArgumentsForm)
            {
                json[written++] = (byte)'[';
            }

            Utf8Formatter.TryFormat(value, json.AsSpan(written), out var digits);
            written += digits;
            if (form == ArgumentsForm)
            {
                json[written++] = (byte)']';
            }
        }

        if (at != blob.Length)
        {
            throw Damaged("bytes follow its last integer");
        }

        json[written++] = (byte)']';
        return (form, message, json.AsSpan(0, written).ToArray());
    }

    private static InvalidDataException Damaged(string why) =>
        new($"a journaled task or report in the compact form is damaged: {why}");

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
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
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

    private static ulong ReadVarint(byte[] blob, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (at >= blob.Length)
            {
                throw Damaged("it ends inside a number");
            }

            var b = blob[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw Damaged("a number is longer than 10 bytes");
    }
}
