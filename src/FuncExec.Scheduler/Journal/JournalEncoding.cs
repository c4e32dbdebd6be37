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
internal static partial class JournalEncoding
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

        return Encode(spec);
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
                // A copy without the results: the report itself is shared with the client's session, which may be
                // sending it meanwhile.
                var rest = report.Clone();
                rest.ResultJson = ByteString.Empty;
                return Compact(rest, ResultsForm, results);
            }
        }

        return Encode(report);
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

    // As ToByteArray, without the CodedOutputStream it allocates for each message: two of these go with every task.
    private static byte[] Encode(IMessage message)
    {
        var bytes = new byte[message.CalculateSize()];
        message.WriteTo(bytes.AsSpan());
        return bytes;
    }

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
