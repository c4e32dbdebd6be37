using System.Diagnostics;
using FuncExec.Client;

namespace FuncExec.Bench;

/// <summary>MapAsync over many tiny items: in chunks, and one task per item (ChunkSize = 1).</summary>
internal static class MapWorkload
{
    /// <summary>Items per second: <paramref name="items"/> in automatic chunks, and <paramref name="perItemItems"/> one task
    /// per item; throws unless every result is right.</summary>
    public static async Task<(double Chunked, double PerItem)> MeasureAsync(ICluster cluster, int items, int perItemItems)
    {
        await using var computation = await cluster.ScheduleAsync(new ComputationOptions { Name = "map" });
        await WarmUpAsync(computation);
        var chunked = await TimeAsync(computation, Enumerable.Range(0, items).ToArray(), null);
        var perItem = await TimeAsync(computation, Enumerable.Range(0, perItemItems).ToArray(), 1);
        return (items / chunked, perItemItems / perItem);
    }

    /// <summary>Items per second over <paramref name="items"/> items, once per round for each chunk size (null: automatic),
    /// the sizes taking turns; every result checked.</summary>
    public static async Task<double[][]> MeasureChunkSizesAsync(ICluster cluster, int items, IReadOnlyList<int?> chunkSizes, int rounds)
    {
        await using var computation = await cluster.ScheduleAsync(new ComputationOptions { Name = "map" });
        await WarmUpAsync(computation);
        var inputs = Enumerable.Range(0, items).ToArray();
        var figures = chunkSizes.Select(_ => new double[rounds]).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < chunkSizes.Count; i++)
            {
                figures[i][round] = items / await TimeAsync(computation, inputs, chunkSizes[i]);
            }
        }

        return figures;
    }

    // Ships the assembly, binds the method in every worker and JITs both ends' paths (and the duration estimates), for a
    // second at least: the runtime recompiles a method that runs often after 100 ms with no method called for the first
    // time and 30 calls, twice with dynamic PGO, and a chunk's path runs once a chunk.
    private static async Task WarmUpAsync(Computation computation)
    {
        var warm = Enumerable.Range(0, 20_000).ToArray();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 3 || clock.Elapsed < TimeSpan.FromSeconds(1); i++)
        {
            await TimeAsync(computation, warm, null);
        }
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
