using System.Text;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler.Journal;
using Google.Protobuf;

namespace FuncExec.Scheduler.Tests;

/// <summary>Issue 14: a map chunk's arguments and result are journaled in a compact form that gives back the same bytes;
/// anything else is journaled as its protobuf encoding, as before.</summary>
public sealed class JournalEncodingTests
{
    private static SubmittedTaskSpec Chunk(string argsJson, bool mapChunk = true)
    {
        var assignment = new TaskAssignment
        {
            Lambda = new LambdaMethodCall { MethodName = "Jobs.Noop" },
            ArgsJson = ByteString.CopyFromUtf8(argsJson),
            MapChunk = mapChunk,
            TimeoutMs = 30_000,
        };
        return Specs.Of("Noop[0..2]", assignment, retries: 2, tag: 42);
    }

    private static TaskReportMessage Report(string resultJson) => new()
    {
        Tag = 42,
        Id = 7,
        Name = "Noop[0..2]",
        Outcome = TaskOutcome.Succeeded,
        ResultJson = ByteString.CopyFromUtf8(resultJson),
        Worker = "node/worker-1",
        Cores = { 1 },
        StartedUnixUs = 1_000_000,
        FinishedUnixUs = 1_100_000,
        Attempts = 1,
    };

    public static TheoryData<string> IntegerArrays() =>
    [
        "[]",
        "[0]",
        "[-1,0,1]",
        "[2147483647,-2147483648,999999999999999999,-999999999999999999,0]",
        string.Concat("[", string.Join(',', Enumerable.Range(500_000, 5_000)), "]"),
        string.Concat("[", string.Join(',', new Random(14).GetItems(Enumerable.Range(-1_000_000, 2_000_000).ToArray(), 1_000)), "]"),
    ];

    [Theory]
    [MemberData(nameof(IntegerArrays))]
    public void EncodeSpec_MapChunkOfIntegers_IsCompactAndReadsBackByteForByte(string results)
    {
        // The arguments form of the same numbers: one single-argument array an item.
        var items = results.Length == 2 ? [] : results[1..^1].Split(',');
        var args = "[" + string.Join(',', items.Select(i => $"[{i}]")) + "]";
        var spec = Chunk(args);

        var blob = JournalEncoding.EncodeSpec(spec);

        Assert.Equal(0, blob[0]);
        Assert.True(blob.Length < spec.CalculateSize() || items.Length < 2, $"{blob.Length} bytes against {spec.CalculateSize()} as protobuf");
        var back = JournalEncoding.DecodeSpec(blob);
        Assert.Equal(spec, back);
        Assert.Equal(args, back.Assignment.ArgsJson.ToStringUtf8());
        // The scheduler's own spec is left as it was.
        Assert.Equal(args, spec.Assignment.ArgsJson.ToStringUtf8());
    }

    [Theory]
    [MemberData(nameof(IntegerArrays))]
    public void EncodeReport_MapChunkResultOfIntegers_IsCompactAndReadsBackByteForByte(string results)
    {
        var report = Report(results);

        var blob = JournalEncoding.EncodeReport(report, mapChunk: true);

        Assert.Equal(0, blob[0]);
        var back = JournalEncoding.DecodeReport(blob);
        Assert.Equal(report, back);
        Assert.Equal(results, back.ResultJson.ToStringUtf8());
        Assert.Equal(results, report.ResultJson.ToStringUtf8());
    }

    [Fact]
    public async Task EncodeReport_MapChunk_LeavesTheReportUnchangedForASessionSendingItMeanwhile()
    {
        // The scheduler shares one wire report between the journal's writer and the client's session.
        var report = Report("[" + string.Join(",", Enumerable.Range(0, 5_000)) + "]");
        var expected = report.ToByteArray();
        using var stop = new CancellationTokenSource();
        var encodings = 0;
        var encoder = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                JournalEncoding.EncodeReport(report, mapChunk: true);
                Interlocked.Increment(ref encodings);
            }
        });

        // Sent over and over while at least 500 encodings run beside it.
        var changed = 0;
        for (var sent = 0; sent < 2_000 || Volatile.Read(ref encodings) < 500; sent++)
        {
            if (!report.ToByteArray().AsSpan().SequenceEqual(expected))
            {
                changed++;
            }
        }

        await stop.CancelAsync();
        await encoder;
        Assert.Equal(0, changed);
    }

    [Fact]
    public void EncodeSpec_SequentialItems_TakeAByteEach()
    {
        var args = "[" + string.Join(',', Enumerable.Range(500_000, 5_000).Select(i => $"[{i}]")) + "]";

        var blob = JournalEncoding.EncodeSpec(Chunk(args));

        Assert.InRange(blob.Length, 5_000, 5_200);
    }

    [Theory]
    [InlineData("[[1], [2]]")]
    [InlineData("[[01],[2]]")]
    [InlineData("[[-0],[2]]")]
    [InlineData("[[1.0],[2]]")]
    [InlineData("[[1e3],[2]]")]
    [InlineData("[[1],[2],]")]
    [InlineData("[[1,2],[3,4]]")]
    [InlineData("[[\"a\"],[\"b\"]]")]
    [InlineData("[[1],[2]")]
    [InlineData("[1,2]")]
    [InlineData("[[1234567890123456789]]")]
    [InlineData("[[-]]")]
    [InlineData("[[]]")]
    [InlineData("")]
    [InlineData("[[1]],")]
    public void EncodeSpec_ArgumentsNotInFuncExecsOwnForm_AreKeptAsProtobuf(string args)
    {
        var spec = Chunk(args);

        var blob = JournalEncoding.EncodeSpec(spec);

        Assert.Equal(spec.ToByteArray(), blob);
        Assert.Equal(spec, JournalEncoding.DecodeSpec(blob));
    }

    [Theory]
    [InlineData("[1, 2]")]
    [InlineData("[1,2,]")]
    [InlineData("[[1],[2]]")]
    [InlineData("[1,-0]")]
    [InlineData("[00]")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("[1.5]")]
    public void EncodeReport_ResultNotInFuncExecsOwnForm_IsKeptAsProtobuf(string results)
    {
        var report = Report(results);

        var blob = JournalEncoding.EncodeReport(report, mapChunk: true);

        Assert.Equal(report.ToByteArray(), blob);
        Assert.Equal(report, JournalEncoding.DecodeReport(blob));
    }

    [Fact]
    public void Encode_NotAMapChunk_IsKeptAsProtobuf()
    {
        var spec = Chunk("[[1],[2]]", mapChunk: false);
        var report = Report("[1,2]");

        Assert.Equal(spec.ToByteArray(), JournalEncoding.EncodeSpec(spec));
        Assert.Equal(report.ToByteArray(), JournalEncoding.EncodeReport(report, mapChunk: false));
    }

    [Fact]
    public void Decode_ProtobufJournaledBeforeTheCompactForm_ReadsAsBefore()
    {
        var spec = Chunk("[[1],[2]]");
        var report = Report("[1,2]");

        Assert.Equal(spec, JournalEncoding.DecodeSpec(spec.ToByteArray()));
        Assert.Equal(report, JournalEncoding.DecodeReport(report.ToByteArray()));
        Assert.Equal(new TaskReportMessage(), JournalEncoding.DecodeReport([]));
    }

    [Fact]
    public void Decode_DamagedCompactRecord_ThrowsInvalidDataException()
    {
        var blob = JournalEncoding.EncodeReport(Report("[1,2,3]"), mapChunk: true);

        Assert.Throws<InvalidDataException>(() => JournalEncoding.DecodeReport(blob[..^1]));
        Assert.Throws<InvalidDataException>(() => JournalEncoding.DecodeReport([.. blob, 5]));
        Assert.Throws<InvalidDataException>(() => JournalEncoding.DecodeReport([0]));
        // A count far above what the record holds is refused before anything is allocated for it.
        Assert.Throws<InvalidDataException>(() => JournalEncoding.DecodeReport([0, JournalEncoding.ResultsForm, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]));
        // A report's record is not read as a spec's, nor the other way round.
        Assert.Throws<InvalidDataException>(() => JournalEncoding.DecodeSpec(blob));
        Assert.Throws<InvalidDataException>(() => JournalEncoding.DecodeReport(JournalEncoding.EncodeSpec(Chunk("[[1]]"))));
    }

    [Fact]
    public void Decode_CompactRecordOfAnyLongs_GivesTheirDecimalText()
    {
        // A record holds longs of any size (written by the scheduler only up to 18 digits; read whatever it holds).
        var blob = new List<byte> { 0, JournalEncoding.ResultsForm, 0, 2 };
        // zigzag(long.MinValue) = ulong.MaxValue; then +1 from there.
        blob.AddRange([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x02]);

        var report = JournalEncoding.DecodeReport([.. blob]);

        Assert.Equal(Encoding.UTF8.GetBytes("[-9223372036854775808,-9223372036854775807]"), report.ResultJson.ToByteArray());
    }
}
