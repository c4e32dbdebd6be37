using System.Buffers;
using BenchmarkDotNet.Attributes;
using FuncExec.Protocol.Framing;
using FuncExec.Protocol.V1;
using Google.Protobuf;

namespace FuncExec.Bench.Micro;

/// <summary>
/// One node-to-worker batch of 64 method tasks through <see cref="FrameCodec"/>, against copying
/// the same number of bytes: how far framing is from the cost of just moving the frame.
/// </summary>
[MemoryDiagnoser]
public class FramingBenchmarks : IDisposable
{
    private const int TasksPerBatch = 64;

    private readonly ArrayBufferWriter<byte> _writer = new();
    private WorkerEnvelope _envelope = null!;
    private byte[] _frame = [];
    private byte[] _copy = [];
    private byte[] _readBuffer = [];
    private MemoryStream _input = null!;

    [GlobalSetup]
    public void Setup()
    {
        var assign = new AssignTasks();
        var args = ByteString.CopyFrom("[1,2]"u8);
        for (var i = 0; i < TasksPerBatch; i++)
        {
            var task = new TaskAssignment
            {
                TaskId = 1_000_000 + i,
                Attempt = 1,
                Method = new MethodCall { Name = "System.Math.Max" },
                ArgsJson = args,
            };
            task.Cores.Add(i % 2);
            assign.Tasks.Add(task);
        }

        _envelope = new WorkerEnvelope { Assign = assign };
        FrameCodec.Write(_writer, _envelope);
        _frame = _writer.WrittenSpan.ToArray();
        _copy = new byte[_frame.Length];
        _readBuffer = new byte[_frame.Length];
        _input = new MemoryStream(_frame, writable: false);
    }

    /// <summary>Bytes in one frame (header and payload), for reading the table.</summary>
    public int FrameBytes => _frame.Length;

    [Benchmark(Baseline = true, Description = "copy frame bytes")]
    public int Copy()
    {
        _frame.AsSpan().CopyTo(_copy);
        return _copy.Length;
    }

    [Benchmark(Description = "FrameCodec.Write (64 tasks)")]
    public int Write()
    {
        _writer.ResetWrittenCount();
        FrameCodec.Write(_writer, _envelope);
        return _writer.WrittenCount;
    }

    [Benchmark(Description = "FrameCodec.Read (64 tasks)")]
    public object? Read()
    {
        _input.Position = 0;
        return FrameCodec.Read(_input, WorkerEnvelope.Parser, ref _readBuffer);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _input?.Dispose();
        GC.SuppressFinalize(this);
    }
}
