using System.Diagnostics;
using FuncExec.Client;

namespace FuncExec.Cli.Bench;

/// <summary>
/// A scheduler's cluster. Each client is its own connection with its own computation, opened before the first cell
/// and kept to the end. The workers axis takes the first w workers in the scheduler's order (by node, then worker):
/// a cell's tasks are pinned round-robin to them and submitted in one batch per client with
/// <see cref="Computation.SubmitAllAtAsync{T}"/>, then every result awaited.
/// </summary>
internal sealed class RemoteBenchTarget : IBenchTarget
{
    private readonly BenchTask _task;
    private readonly List<(ICluster Connection, Computation Computation)> _clients;
    private WorkerInfo[] _workers = [];

    private RemoteBenchTarget(string address, BenchTask task, List<(ICluster, Computation)> clients, IReadOnlyList<WorkerInfo> workers)
    {
        Description = $"cluster of the scheduler at {address}";
        _task = task;
        _clients = clients;
        AllWorkers = workers;
    }

    public string Description { get; }

    /// <summary>Every worker of the cluster when the clients connected, in the order the workers axis takes them.</summary>
    public IReadOnlyList<WorkerInfo> AllWorkers { get; }

    /// <summary>Connects <paramref name="clients"/> clients, each opening its computation.</summary>
    /// <exception cref="FuncExecException">The scheduler cannot be reached, or refused a client.</exception>
    /// <exception cref="ProtocolException">The scheduler refused the secret, TLS or version.</exception>
    public static async Task<RemoteBenchTarget> ConnectAsync(
        string address, RemoteClusterOptions options, int clients, BenchTask task, CancellationToken cancellationToken)
    {
        var connected = new List<(ICluster, Computation)>();
        try
        {
            for (var k = 0; k < clients; k++)
            {
                var connection = await Cluster.ConnectAsync(address, options with { Name = $"{options.Name}/bench-client-{k + 1}" }, cancellationToken)
                    .ConfigureAwait(false);
                try
                {
                    var computation = await connection.ScheduleAsync(new ComputationOptions { Name = $"funcexec bench client {k + 1}" }, cancellationToken)
                        .ConfigureAwait(false);
                    connected.Add((connection, computation));
                }
                catch
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            }

            var workers = (await connected[0].Item1.WorkersAsync(cancellationToken).ConfigureAwait(false))
                .OrderBy(w => w.Node).ThenBy(w => w.WorkerId).ToArray();
            return new RemoteBenchTarget(address, task, connected, workers);
        }
        catch
        {
            await CloseAsync(connected).ConfigureAwait(false);
            throw;
        }
    }

    public async Task<CellRun> UseWorkersAsync(int workers, int clients, CancellationToken cancellationToken)
    {
        _workers = [.. AllWorkers.Take(workers)];
        return await RunCellAsync(clients, _task.WarmupTasks(workers, clients), cancellationToken).ConfigureAwait(false);
    }

    public async Task<CellRun> RunCellAsync(int clients, int tasks, CancellationToken cancellationToken)
    {
        var workers = _workers;
        var shares = TaskShares.Split(tasks, clients);
        var start = Stopwatch.GetTimestamp();
        var errors = await Task.WhenAll(shares.Select((share, k) => Task.Run(
            () => RunClientAsync(_clients[k].Computation, workers, share.First, share.Count, cancellationToken), cancellationToken)))
            .ConfigureAwait(false);
        return new CellRun(Stopwatch.GetElapsedTime(start), errors.FirstOrDefault(e => e is not null));
    }

    public async ValueTask DisposeAsync() => await CloseAsync(_clients).ConfigureAwait(false);

    private async Task<string?> RunClientAsync(Computation computation, WorkerInfo[] workers, int first, int count, CancellationToken cancellationToken)
    {
        var handles = await computation.SubmitAllAtAsync(
            Enumerable.Range(first, count).Select(argument => (workers[argument % workers.Length], _task.Call(argument))),
            null,
            cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < count; i++)
        {
            int result;
            try
            {
                result = await handles[i].Result.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (TaskFailedException ex)
            {
                return $"task {handles[i].Id} ({_task.Name}) should have returned {first + i}, but {ex.Message}";
            }

            if (result != first + i)
            {
                return $"task {handles[i].Id} ({_task.Name}) should have returned {first + i}, but returned {result}";
            }
        }

        return null;
    }

    private static async Task CloseAsync(List<(ICluster Connection, Computation Computation)> clients)
    {
        foreach (var (connection, computation) in clients)
        {
            await computation.DisposeAsync().ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
