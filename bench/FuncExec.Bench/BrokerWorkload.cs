using System.Diagnostics;
using FuncExec.Broker;
using FuncExec.Client;
using FuncExec.Core.Tasks;

namespace FuncExec.Bench;

/// <summary>
/// Throughput of no-op tasks through a RabbitMQ task queue (submit → <see cref="BrokerServer"/> →
/// result back to the submitter), beside the same tasks run directly on the same embedded cluster.
/// </summary>
internal static class BrokerWorkload
{
    /// <param name="prefetch">The serve loop's prefetch; 0 for its default.</param>
    public static async Task<(double Direct, double Broker)> MeasureAsync(string url, Workloads workloads, int tasks, int prefetch)
    {
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = workloads.Workers });
        await RunDirectAsync(cluster, workloads, 2_000);
        Console.Error.WriteLine($"direct: {tasks:N0} no-op tasks ...");
        var stopwatch = Stopwatch.StartNew();
        await RunDirectAsync(cluster, workloads, tasks);
        var direct = tasks / stopwatch.Elapsed.TotalSeconds;

        // A queue of its own, so nothing left over from another run is counted.
        var queue = $"funcexec.bench.{Guid.NewGuid():N}";
        var server = new BrokerServer(url, cluster, new BrokerServerOptions { Queue = queue, Prefetch = prefetch });
        using var stop = new CancellationTokenSource();
        var serving = server.RunAsync(stop.Token);
        await using var client = await BrokerClient.ConnectAsync(url, new BrokerClientOptions { Queue = queue });
        await RunThroughBrokerAsync(client, workloads, 1_000);
        Console.Error.WriteLine($"broker: {tasks:N0} no-op tasks, submitted and answered through {client.Url} ...");
        stopwatch.Restart();
        await RunThroughBrokerAsync(client, workloads, tasks);
        var broker = tasks / stopwatch.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await serving;
        return (direct, broker);
    }

    private static async Task RunDirectAsync(LocalCluster cluster, Workloads workloads, int count)
    {
        var reports = await cluster.RunAsync([.. Enumerable.Range(0, count).Select(workloads.Noop)]);
        Check(reports);
    }

    private static async Task RunThroughBrokerAsync(BrokerClient client, Workloads workloads, int count)
    {
        var submitted = await client.SubmitAllAsync([.. Enumerable.Range(0, count).Select(workloads.Noop)]);
        Check(await Task.WhenAll(submitted.Select(t => t.Report)));
    }

    private static void Check(IReadOnlyList<TaskReport> reports)
    {
        for (var i = 0; i < reports.Count; i++)
        {
            if (reports[i].State != TaskState.Succeeded || reports[i].ResultJson != i.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                throw new InvalidOperationException($"task {i}: {reports[i].State} {reports[i].ResultJson} {reports[i].Error?.Message}");
            }
        }
    }
}
