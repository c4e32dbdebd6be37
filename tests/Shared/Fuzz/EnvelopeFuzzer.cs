using System.Buffers.Binary;
using System.Collections;
using System.Text;
using FuncExec.Protocol.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace FuncExec.Tests.Fuzz;

/// <summary>
/// Makes hostile frames for the cluster protocol: <see cref="ClusterEnvelope"/>s of every body case
/// with every field drawn from hostile values (negative, zero and extreme ids; empty, huge, control
/// and path-like strings; unknown enum values; NaN; long repeated fields), and raw frames that
/// break the framing (garbage, oversized or negative length prefixes, torn frames, flipped bytes).
/// </summary>
/// <remarks>
/// Fields are filled through protobuf reflection, so a message or field added to the .proto files is
/// fuzzed without touching this class. One <see cref="Random"/> per instance: give each connection
/// loop its own, seeded, so a failing run can be replayed.
/// </remarks>
internal sealed class EnvelopeFuzzer(Random random)
{
    /// <summary>A valid envelope stays under this, so the scheduler's frame cap is not what stops it.</summary>
    public const int MaxEnvelopeSize = 1024 * 1024;

    private const int MaxDepth = 4;

    private static readonly FieldDescriptor[] Bodies = [.. ClusterEnvelope.Descriptor.Oneofs[0].Fields];

    private static readonly string[] Strings =
    [
        "", "a", "System.Math.Max", "System.Environment.Exit", "../../../../etc/passwd", "/etc/passwd", "C:\\Windows\\win.ini",
        "con", ".", "..", "\0", "\u202e\uFFFF\uD7FF", "🙂🙂", "null", "{}", "[]", "\"x\"", "%s%n%x", "n1", "n1/worker-0",
        new string('0', 64), new string('f', 64), "a/../../b", "runtimes/linux-x64/native/x.so",
    ];

    private static readonly byte[][] Jsons = [[], "null"u8.ToArray(), "{}"u8.ToArray(), "[1,2]"u8.ToArray(), "\"x\""u8.ToArray(), "1e400"u8.ToArray(), "[[[[[[[[[["u8.ToArray()];

    /// <summary>Every body case of the envelope: the message types the fuzzer sends.</summary>
    public static IReadOnlyList<FieldDescriptor> BodyCases => Bodies;

    /// <summary>An envelope of <paramref name="body"/> (a random case when null) with hostile field values.</summary>
    public ClusterEnvelope NextEnvelope(FieldDescriptor? body = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            var envelope = new ClusterEnvelope();
            var chosen = body ?? Bodies[random.Next(Bodies.Length)];
            chosen.Accessor.SetValue(envelope, NextMessage(chosen.MessageType, 0));
            if (envelope.CalculateSize() <= MaxEnvelopeSize || attempt > 8)
            {
                return envelope;
            }
        }
    }

    /// <summary>One frame to send mid-connection: mostly valid envelopes, some with flipped bytes, some empty.</summary>
    public byte[] NextFrame() => random.Next(20) switch
    {
        0 => Flipped(Frame(NextEnvelope())),
        1 => [0, 0, 0, 0], // an empty envelope: no body at all
        _ => Frame(NextEnvelope()),
    };

    /// <summary>A frame that ends a connection's framing: garbage, an oversized or negative length prefix, or a torn frame.</summary>
    public byte[] NextBreakingFrame()
    {
        switch (random.Next(4))
        {
            case 0:
                return Bytes(random.Next(1, 4096));
            case 1:
            {
                var frame = new byte[4 + random.Next(0, 64)];
                random.NextBytes(frame);
                int[] lengths = [int.MaxValue, -1, int.MinValue, (64 * 1024 * 1024) + 1, 0x7FFF_FFF0, 65 * 1024];
                BinaryPrimitives.WriteInt32LittleEndian(frame, lengths[random.Next(lengths.Length)]);
                return frame;
            }

            case 2:
            {
                var frame = Frame(NextEnvelope());
                return frame[..random.Next(1, frame.Length)];
            }

            default:
                return Flipped(Frame(NextEnvelope()));
        }
    }

    /// <summary>A Hello with hostile fields (version, role, name, nonce), as a stranger might open with.</summary>
    public byte[] NextHello() => Frame(NextEnvelope(ClusterEnvelope.Descriptor.FindFieldByNumber(ClusterEnvelope.HelloFieldNumber)));

    /// <summary>The frame of <paramref name="message"/>: its 4-byte little-endian length, then the message.</summary>
    public static byte[] Frame(IMessage message)
    {
        var size = message.CalculateSize();
        var frame = new byte[4 + size];
        BinaryPrimitives.WriteInt32LittleEndian(frame, size);
        message.WriteTo(frame.AsSpan(4));
        return frame;
    }

    private IMessage NextMessage(MessageDescriptor descriptor, int depth)
    {
        var message = descriptor.Parser.ParseFrom(ByteString.Empty);
        foreach (var field in descriptor.Fields.InDeclarationOrder())
        {
            if (random.Next(4) == 0 || (field.FieldType == FieldType.Message && depth >= MaxDepth))
            {
                continue; // left at its default, as a peer may leave any field
            }

            if (field.IsRepeated)
            {
                var list = (IList)field.Accessor.GetValue(message);
                var scalar = field.FieldType is not (FieldType.Message or FieldType.String or FieldType.Bytes);
                var count = random.Next(10) switch
                {
                    0 => scalar ? random.Next(100, 5000) : depth == 0 ? random.Next(6, 40) : random.Next(1, 5),
                    < 4 => 0,
                    _ => random.Next(1, 5),
                };
                for (var i = 0; i < count; i++)
                {
                    list.Add(NextValue(field, depth));
                }
            }
            else
            {
                field.Accessor.SetValue(message, NextValue(field, depth));
            }
        }

        return message;
    }

    private object NextValue(FieldDescriptor field, int depth) => field.FieldType switch
    {
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => NextInt32(),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => NextInt64(),
        FieldType.UInt32 or FieldType.Fixed32 => (uint)NextInt32(),
        FieldType.UInt64 or FieldType.Fixed64 => (ulong)NextInt64(),
        FieldType.Bool => random.Next(2) == 0,
        FieldType.Float => (float)NextDouble(),
        FieldType.Double => NextDouble(),
        FieldType.String => NextString(),
        FieldType.Bytes => NextBytes(field),
        FieldType.Enum => Enum.ToObject(field.EnumType.ClrType, random.Next(4) switch
        {
            0 => NextInt32(),
            _ => field.EnumType.Values[random.Next(field.EnumType.Values.Count)].Number,
        }),
        FieldType.Message => NextMessage(field.MessageType, depth + 1),
        _ => throw new NotSupportedException($"field type {field.FieldType} of {field.FullName}"),
    };

    private int NextInt32() => random.Next(8) switch
    {
        0 => int.MinValue,
        1 => int.MaxValue,
        2 => -1,
        3 => 0,
        4 => random.Next(),
        _ => random.Next(0, 8), // small: the ids of real nodes, workers and cores
    };

    private long NextInt64() => random.Next(8) switch
    {
        0 => long.MinValue,
        1 => long.MaxValue,
        2 => -1,
        3 => 0,
        4 => random.NextInt64(),
        _ => random.Next(0, 64), // small: the ids of real tasks, computations and requests
    };

    private double NextDouble() => random.Next(6) switch
    {
        0 => double.NaN,
        1 => double.PositiveInfinity,
        2 => double.NegativeInfinity,
        3 => -1,
        4 => double.MaxValue,
        _ => random.NextDouble(),
    };

    private string NextString() => random.Next(10) switch
    {
        0 => new string('x', random.Next(1000, 64 * 1024)),
        1 => RandomText(random.Next(1, 40)),
        _ => Strings[random.Next(Strings.Length)],
    };

    private ByteString NextBytes(FieldDescriptor field)
    {
        if (field.Name.EndsWith("_json", StringComparison.Ordinal) && random.Next(2) == 0)
        {
            return ByteString.CopyFrom(Jsons[random.Next(Jsons.Length)]);
        }

        return ByteString.CopyFrom(Bytes(random.Next(10) switch
        {
            0 => random.Next(4096, 256 * 1024),
            < 4 => 0,
            _ => random.Next(1, 64),
        }));
    }

    private string RandomText(int length)
    {
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            text.Append((char)random.Next(0, 0xD7FF));
        }

        return text.ToString();
    }

    private byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private byte[] Flipped(byte[] frame)
    {
        if (frame.Length > 4)
        {
            for (var i = random.Next(1, 8); i > 0; i--)
            {
                frame[random.Next(4, frame.Length)] ^= (byte)random.Next(1, 256);
            }
        }

        return frame;
    }
}
