using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using FuncExec.Scheduler.Journal;

namespace FuncExec.Journal.Sqlite;

/// <summary>
/// The frames of the SQLite journal's record log (<c>journal.db-log</c>): one frame for each group of batches committed
/// together, appended with one write, and applied to the database later (see <see cref="SqliteJournal"/>).
/// </summary>
/// <remarks>
/// A frame is its payload's length (4 bytes, little-endian), the payload's CRC-32 (4 bytes), then the payload: the
/// frame's sequence number (8), the time it was committed in microseconds since 1970 (8), its batch count (4), and each
/// batch's records in the order <see cref="JournalBatch"/> documents (each list a count, then its records; integers
/// little-endian, strings and blobs a 4-byte length then their bytes). Batches stay apart, so they are applied in the
/// order they were appended, as one transaction of the database would have applied them.
/// </remarks>
internal static class JournalLogFrames
{
    /// <summary>The length and checksum before each payload.</summary>
    public const int HeaderSize = 8;

    /// <summary>Builds one frame for <paramref name="batches"/> in <paramref name="output"/>, which must be empty.</summary>
    public static void Write(JournalFrameBuffer output, long sequence, long nowUs, IReadOnlyList<JournalBatch> batches)
    {
        if (output.Length != 0)
        {
            throw new InvalidOperationException("a frame is built in an empty buffer");
        }

        output.Take(HeaderSize);
        var writer = new FrameWriter(output);
        writer.Long(sequence);
        writer.Long(nowUs);
        writer.Int(batches.Count);
        foreach (var batch in batches)
        {
            WriteBatch(ref writer, batch);
        }

        // The header, reserved above, is filled in once the payload is there.
        var payloadLength = output.Length - HeaderSize;
        if (payloadLength > int.MaxValue - HeaderSize)
        {
            throw new InvalidOperationException($"a frame of {payloadLength} bytes is past the log's 2 GiB frame limit");
        }

        var header = output.Start(HeaderSize);
        BinaryPrimitives.WriteInt32LittleEndian(header, (int)payloadLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], output.Crc32(HeaderSize));
    }

    /// <summary>Reads the frame at the start of <paramref name="bytes"/>.</summary>
    /// <returns>False when no whole, intact frame is there: the end of the log, or a frame whose write never finished
    /// (its process died in it), which nobody was told was committed.</returns>
    /// <exception cref="JournalException">An intact frame whose records do not parse: a log this build did not write.</exception>
    public static bool TryRead(ReadOnlySpan<byte> bytes, out int frameLength, out long sequence, out long nowUs, out List<JournalBatch> batches)
    {
        frameLength = 0;
        sequence = 0;
        nowUs = 0;
        batches = [];
        if (bytes.Length < HeaderSize)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        if (length < 20 || length > bytes.Length - HeaderSize)
        {
            return false;
        }

        var payload = bytes.Slice(HeaderSize, length);
        if (Crc32.HashToUInt32(payload) != BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]))
        {
            return false;
        }

        try
        {
            var reader = new FrameReader(payload);
            sequence = reader.Long();
            nowUs = reader.Long();
            var count = reader.Count();
            for (var i = 0; i < count; i++)
            {
                batches.Add(ReadBatch(ref reader));
            }

            if (!reader.AtEnd)
            {
                throw new InvalidDataException($"{reader.Remaining} bytes are left after its last batch");
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or ArgumentOutOfRangeException or DecoderFallbackException)
        {
            throw new JournalException($"a frame of the journal's record log does not parse ({ex.Message}): the log was not written by this FuncExec", ex);
        }

        frameLength = HeaderSize + length;
        return true;
    }

    /// <summary>How many records <paramref name="batch"/> holds: what the journal counts against its bound on records
    /// not yet applied.</summary>
    public static int Records(JournalBatch batch) =>
        batch.Clients.Count + batch.Computations.Count + batch.Submitted.Count + batch.Started.Count + batch.Finished.Count
        + batch.Acknowledged.Count + batch.ClosedComputations.Count + batch.GoneClients.Count;

    private static void WriteBatch(ref FrameWriter writer, JournalBatch batch)
    {
        writer.Int(batch.Clients.Count);
        foreach (var client in batch.Clients)
        {
            writer.Text(client.Token);
            writer.Text(client.Name);
            writer.Long(SqliteJournal.ToMicroseconds(client.Seen));
        }

        writer.Int(batch.Computations.Count);
        foreach (var computation in batch.Computations)
        {
            writer.Long(computation.Id);
            writer.Text(computation.OwnerToken);
            writer.Text(computation.Name);
            writer.Int(computation.Exclusive ? 1 : 0);
            writer.Bytes(computation.Components);
        }

        writer.Int(batch.Submitted.Count);
        foreach (var task in batch.Submitted)
        {
            writer.Long(task.Id);
            writer.Text(task.OwnerToken);
            writer.Long(task.Computation);
            writer.Long(task.Tag);
            writer.Bytes(task.Spec);
            writer.Int(task.Attempts);
        }

        writer.Int(batch.Started.Count);
        foreach (var (taskId, attempt) in batch.Started)
        {
            writer.Long(taskId);
            writer.Int(attempt);
        }

        writer.Int(batch.Finished.Count);
        foreach (var result in batch.Finished)
        {
            writer.Long(result.TaskId);
            writer.Bytes(result.Report);
            writer.Long(SqliteJournal.ToMicroseconds(result.Finished));
        }

        writer.Int(batch.Acknowledged.Count);
        foreach (var taskId in batch.Acknowledged)
        {
            writer.Long(taskId);
        }

        writer.Int(batch.ClosedComputations.Count);
        foreach (var computation in batch.ClosedComputations)
        {
            writer.Long(computation);
        }

        writer.Int(batch.GoneClients.Count);
        foreach (var token in batch.GoneClients)
        {
            writer.Text(token);
        }
    }

    private static JournalBatch ReadBatch(ref FrameReader reader)
    {
        var batch = new JournalBatch();
        for (var i = reader.Count(); i > 0; i--)
        {
            batch.Clients.Add(new JournaledClient(reader.Text(), reader.Text(), SqliteJournal.FromMicroseconds(reader.Long())));
        }

        for (var i = reader.Count(); i > 0; i--)
        {
            batch.Computations.Add(new JournaledComputation(reader.Long(), reader.Text(), reader.Text(), reader.Int() != 0, reader.Bytes()));
        }

        for (var i = reader.Count(); i > 0; i--)
        {
            batch.Submitted.Add(new JournaledTask(reader.Long(), reader.Text(), reader.Long(), reader.Long(), reader.Bytes(), reader.Int()));
        }

        for (var i = reader.Count(); i > 0; i--)
        {
            batch.Started.Add((reader.Long(), reader.Int()));
        }

        for (var i = reader.Count(); i > 0; i--)
        {
            batch.Finished.Add(new JournaledResult(reader.Long(), reader.Bytes(), SqliteJournal.FromMicroseconds(reader.Long())));
        }

        for (var i = reader.Count(); i > 0; i--)
        {
            batch.Acknowledged.Add(reader.Long());
        }

        for (var i = reader.Count(); i > 0; i--)
        {
            batch.ClosedComputations.Add(reader.Long());
        }

        for (var i = reader.Count(); i > 0; i--)
        {
            batch.GoneClients.Add(reader.Text());
        }

        return batch;
    }

    private readonly ref struct FrameWriter(JournalFrameBuffer output)
    {
        private readonly JournalFrameBuffer _output = output;

        public void Long(long value) => BinaryPrimitives.WriteInt64LittleEndian(_output.Take(8), value);

        public void Int(int value) => BinaryPrimitives.WriteInt32LittleEndian(_output.Take(4), value);

        public void Bytes(ReadOnlySpan<byte> value)
        {
            Int(value.Length);
            _output.Write(value);
        }

        public void Text(string value)
        {
            var length = Encoding.UTF8.GetByteCount(value);
            Int(length);
            if (length <= JournalFrameBuffer.ChunkSize)
            {
                Encoding.UTF8.GetBytes(value, _output.Take(length));
            }
            else
            {
                _output.Write(Encoding.UTF8.GetBytes(value));
            }
        }
    }

    // Every read is checked against what is left, so a frame that lies about its counts fails here rather than
    // reading past its end. A count is bounded by the bytes left (every record takes at least 4).
    private ref struct FrameReader(ReadOnlySpan<byte> payload)
    {
        private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        private ReadOnlySpan<byte> _rest = payload;

        public readonly bool AtEnd => _rest.IsEmpty;

        public readonly int Remaining => _rest.Length;

        public long Long() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public int Int() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public int Count()
        {
            var count = Int();
            return count >= 0 && count <= _rest.Length / 4 ? count : throw new InvalidDataException($"a count of {count} with {_rest.Length} bytes left");
        }

        public byte[] Bytes() => Take(Length()).ToArray();

        public string Text() => StrictUtf8.GetString(Take(Length()));

        private int Length()
        {
            var length = Int();
            return length >= 0 && length <= _rest.Length ? length : throw new InvalidDataException($"a length of {length} with {_rest.Length} bytes left");
        }

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count > _rest.Length)
            {
                throw new InvalidDataException($"{count} bytes wanted, {_rest.Length} left");
            }

            var taken = _rest[..count];
            _rest = _rest[count..];
            return taken;
        }
    }
}
