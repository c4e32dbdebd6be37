using FuncExec.Client;

namespace FuncExec.Bench;

/// <summary>
/// The <c>map</c> mode: MapAsync over many no-op items on the embedded cluster and on a scheduler with a node, in
/// automatic chunks and in chunks of 1,000, beside Python's <c>Pool.imap_unordered</c> at the same chunk sizes on as
/// many processes; the ratios are of medians over the rounds, all measured in this run.
/// </summary>
internal static class MapComparison
{
    private const int FixedChunk = 1_000;

    public static async Task RunAsync(int workers, int items, int rounds, bool noJournal = false)
    {
        // Automatic chunks, 1,000 a chunk, and Pool.map's own rule (items ÷ (4 × workers)), which Python users pick.
        var poolRule = (items + (4 * workers) - 1) / (4 * workers);
        int?[] sizes = [null, FixedChunk, poolRule];
        var automatic = Math.Min(TaskOptions.MaxAutomaticChunkSize, poolRule);
        double[][] embedded;
        Console.Error.WriteLine($"embedded map: {rounds} rounds of MapAsync over {items:N0} items ...");
        await using (var local = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = workers }))
        {
            embedded = await MapWorkload.MeasureChunkSizesAsync(local, items, sizes, rounds);
        }

        double[][] distributed;
        Console.Error.WriteLine($"scheduler+node map: {rounds} rounds of MapAsync over {items:N0} items ...");
        await using (var processes = await SeparateProcesses.StartAsync(workers, noJournal ? ["--no-journal"] : []))
        await using (var remote = await RemoteCluster.ConnectAsync(processes.Address))
        {
            distributed = await MapWorkload.MeasureChunkSizesAsync(remote, items, sizes, rounds);
        }

        var python = Baseline.RunImapUnordered(items, workers, [automatic, FixedChunk, poolRule]);

        Console.WriteLine();
        Console.WriteLine($"{items:N0} no-op items on {workers} workers; medians of {rounds} rounds (items/s); imap_unordered = Pool({workers}).imap_unordered(noop, range({items}), chunksize=C), C the row's chunk size");
        Console.WriteLine($"{"chunk size",-26} {"embedded",12} {"scheduler+node",15} {"imap_unordered",15} {"embedded/imap",14} {"sched+node/imap",16}");
        for (var i = 0; i < sizes.Length; i++)
        {
            var label = sizes[i] is not { } size ? $"automatic ({automatic:N0})" : size == poolRule ? $"{size:N0} (Pool.map's rule)" : $"{size:N0}";
            var e = Median(embedded[i]);
            var d = Median(distributed[i]);
            double? p = python is null ? null : python[i].ItemsPerSecond;
            Console.WriteLine($"{label,-26} {e,12:N0} {d,15:N0} {Cell(p, "N0"),15} {Cell(e / p, "F2"),14} {Cell(d / p, "F2"),16}");
            Console.Error.WriteLine($"  rounds, {label}: embedded {string.Join(", ", embedded[i].Select(f => f.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))}; scheduler+node {string.Join(", ", distributed[i].Select(f => f.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))}");
        }
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Cell(double? value, string format) => value?.ToString(format, System.Globalization.CultureInfo.InvariantCulture) ?? "-";
}
