namespace FuncExec;

/// <summary>Where a program starts with FuncExec.</summary>
/// <example>
/// <code>
/// await using var cluster = await Cluster.StartLocalAsync();
/// await using var computation = await cluster.ScheduleAsync();
/// int sum = await computation.RunAsync(() => Jobs.Add(1, 2));
/// </code>
/// </example>
public static class Cluster
{
    /// <summary>Starts the embedded cluster: a scheduler and a node in this process and one worker
    /// process pinned to each core (<see cref="LocalClusterOptions.Workers"/>).</summary>
    /// <remarks>Returns once the first worker process is ready, so the first task does not wait for the slowest to start;
    /// the others take work as they come up (<see cref="ICluster.WorkerCount"/> counts them all from the start).</remarks>
    public static async Task<ICluster> StartLocalAsync(LocalClusterOptions? options = null, CancellationToken cancellationToken = default) =>
        await LocalCluster.StartAsync(options, cancellationToken).ConfigureAwait(false);

    /// <summary>Connects to a scheduler (<c>funcexec scheduler</c>) at <paramref name="address"/> (<c>host:port</c>), or to the
    /// first of a list (<c>a:9700,b:9700</c>: a scheduler and its standbys) that answers. The client reattaches when the
    /// connection drops (<see cref="RemoteClusterOptions.ReattachTime"/>).</summary>
    /// <exception cref="SchedulerUnreachableException">Nothing answered there in time.</exception>
    /// <exception cref="ProtocolException">The scheduler refused us: secret, TLS or version.</exception>
    public static async Task<ICluster> ConnectAsync(string address, RemoteClusterOptions? options = null, CancellationToken cancellationToken = default) =>
        await RemoteCluster.ConnectAsync(address, options, cancellationToken).ConfigureAwait(false);
}
