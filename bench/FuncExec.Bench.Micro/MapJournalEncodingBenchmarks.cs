using System.Text;
using BenchmarkDotNet.Attributes;
using FuncExec.Protocol.V1;
using FuncExec.Scheduler.Journal;
using Google.Protobuf;

namespace FuncExec.Bench.Micro;

/// <summary>
/// What the scheduler's journal does with a map chunk of 5,000 integers (<c>map</c>'s automatic chunk of its 1,000,000
/// items, from 500,000 on): its arguments (<c>[[500000],[500001],…]</c>) and its results (<c>[500000,500001,…]</c>)
/// read and written in the compact form, against writing the same messages as their protobuf encoding, JSON and all,
/// which is what the compact form saves the journal from storing.
/// </summary>
public class MapJournalEncodingBenchmarks
{
    private const int Items = 5_000;
    private SubmittedTaskSpec _spec = new();
    private TaskReportMessage _report = new();

    [GlobalSetup]
    public void Setup()
    {
        var numbers = Enumerable.Range(500_000, Items).ToArray();
        var arguments = "[" + string.Join(",", numbers.Select(n => $"[{n}]")) + "]";
        var results = "[" + string.Join(",", numbers) + "]";
        _spec = new SubmittedTaskSpec
        {
            Tag = 7,
            Name = "[500000..504999]",
            Assignment = new TaskAssignment { MapChunk = true, ArgsJson = ByteString.CopyFrom(Encoding.UTF8.GetBytes(arguments)) },
        };
        _report = new TaskReportMessage { Tag = 7, Id = 100, Name = "[500000..504999]", Outcome = TaskOutcome.Succeeded, Worker = "node/worker-0", ResultJson = ByteString.CopyFrom(Encoding.UTF8.GetBytes(results)) };
    }

    [Benchmark(Baseline = true, Description = "a chunk's spec and report as protobuf, JSON and all")]
    public int Protobuf() => _spec.ToByteArray().Length + _report.ToByteArray().Length;

    [Benchmark(Description = "a chunk's spec and report in the compact form")]
    public int Compact() => JournalEncoding.EncodeSpec(_spec).Length + JournalEncoding.EncodeReport(_report, mapChunk: true).Length;
}
