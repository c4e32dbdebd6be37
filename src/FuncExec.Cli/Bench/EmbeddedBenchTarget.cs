using System.Diagnostics;
using System.Globalization;
using FuncExec.Client;
using FuncExec.Core.Tasks;

namespace FuncExec.Cli.Bench;

/// <summary>
/// The embedded cluster: one per workers count, reused across the clients counts. A client is a concurrent
/// submitter that hands its share of the cell's tasks to the cluster in one batch (<see cref="ICluster.RunAsync"/>,
/// the path <c>funcexec run</c> takes) and waits for every result.
/// </summary>
internal sealed class EmbeddedBenchTarget(BenchTask task) : IBenchTarget
{
    private LocalCluster? _cluster;

    public string Description => "embedded cluster";

    public async Task<CellRun> UseWorkersAsync(int workers, int clients, CancellationToken cancellationToken)
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync().ConfigureAwait(false);
            _cluster = null;
        }

        _cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Workers = workers }, cancellationToken).ConfigureAwait(false);
        return await RunCellAsync(clients, task.WarmupTasks(workers, clients), cancellationToken).ConfigureAwait(false);
    }

    public async Task<CellRun> RunCellAsync(int clients, int tasks, CancellationToken cancellationToken)
    {
        var cluster = _cluster ?? throw new InvalidOperationException("no cluster: call UseWorkersAsync first");
        // Built before the clock starts, as a client would have its work ready.
        var shares = TaskShares.Split(tasks, clients)
            .Select(share => Enumerable.Range(share.First, share.Count).Select(task.Spec).ToArray())
            .ToArray();
        var start = Stopwatch.GetTimestamp();
        // Task.Run: each client prepares and submits on its own thread, as separate programs would.
        var reports = await Task.WhenAll(shares.Select(share => Task.Run(() => cluster.RunAsync(share, null, cancellationToken), cancellationToken)))
            .ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(start);
        for (var k = 0; k < shares.Length; k++)
        {
            for (var i = 0; i < shares[k].Length; i++)
            {
                if (Check(reports[k][i], shares[k][i].Params[^1].GetInt32()) is { } error)
                {
                    return new CellRun(elapsed, error);
                }
            }
        }

        return new CellRun(elapsed);
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string? Check(TaskReport report, int expected) =>
        report.State == TaskState.Succeeded && report.ResultJson == expected.ToString(CultureInfo.InvariantCulture)
            ? null
            : $"task {report.Id} ({report.Name}) should have returned {expected}, but {Describe(report)}";

    private static string Describe(TaskReport report) => report.State == TaskState.Succeeded
        ? $"returned {report.ResultJson}"
        : $"ended {report.State.ToName()}: {report.Error?.Message}";
}
