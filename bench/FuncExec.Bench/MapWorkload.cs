using System.Diagnostics;
using FuncExec.Client;

namespace FuncExec.Bench;

/// <summary>MapAsync over many tiny items: in automatic chunks, and one task per item (ChunkSize = 1).</summary>
internal static class MapWorkload
{
    /// <summary>Items per second (chunked, one task per item); throws unless every result is right.</summary>
    public static async Task<(double Chunked, double PerItem)> MeasureAsync(ICluster cluster, int items)
    {
        await using var computation = await cluster.ScheduleAsync(new ComputationOptions { Name = "map" });
        var inputs = Enumerable.Range(0, items).ToArray();
        // Warm the path (and the duration estimates) first.
        await computation.MapAsync(inputs.Take(2000), x => Jobs.Noop(x));
        var chunked = await TimeAsync(computation, inputs, null);
        var perItem = await TimeAsync(computation, inputs, 1);
        return (items / chunked, items / perItem);
    }

    private static async Task<double> TimeAsync(Computation computation, int[] inputs, int? chunkSize)
    {
        var clock = Stopwatch.StartNew();
        var results = await computation.MapAsync(inputs, x => Jobs.Noop(x), new TaskOptions { ChunkSize = chunkSize });
        var seconds = clock.Elapsed.TotalSeconds;
        if (!results.SequenceEqual(inputs))
        {
            throw new InvalidOperationException("MapAsync returned wrong results");
        }

        return seconds;
    }
}
