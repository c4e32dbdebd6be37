using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using FuncExec.Core.Functions.Lambdas;

namespace FuncExec.Worker;

/// <summary>Runs a chunk of a map: one call per item, in order, results gathered into one JSON array.</summary>
/// <remarks>Many tiny calls travel as one task, so the cost per item is a call, not a task's round trip.
/// The first item that throws ends the chunk with its exception, as a single task would.</remarks>
internal static class MapChunk
{
    public static byte[] Run(BoundLambda bound, ReadOnlyMemory<byte> itemsJson, FuncExec.TaskContext? context)
    {
        if (bound.ChunkRunner is { } runner)
        {
            var ran = 0;
            try
            {
                return runner.Run(itemsJson.Span, ref ran);
            }
            finally
            {
                WorkerMetrics.MapItemsRan(ran);
            }
        }

        using var items = JsonDocument.Parse(itemsJson);
        if (items.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException("a map chunk's arguments must be an array of argument arrays");
        }

        var output = new ArrayBufferWriter<byte>((items.RootElement.GetArrayLength() * 8) + 2);
        output.Write("["u8);
        var first = true;
        var called = 0;
        try
        {
            foreach (var item in items.RootElement.EnumerateArray())
            {
                // The item's own bytes, as a single task's arguments would be.
                called++;
                var value = bound.Invoke(JsonMarshal.GetRawUtf8Value(item), context);
                if (!first)
                {
                    output.Write(","u8);
                }

                output.Write(bound.SerializeResult(value));
                first = false;
            }
        }
        finally
        {
            // The items called, the one that threw among them: one add per chunk, not per item.
            WorkerMetrics.MapItemsRan(called);
        }

        output.Write("]"u8);
        return output.WrittenSpan.ToArray();
    }
}
