using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncExec.Hosting.Internal;

/// <summary>
/// Starts the <see cref="ICluster"/> of <c>AddFuncExecClient</c> when the host starts (embedded, or connected to a
/// scheduler), hands it out once started, and disposes it when the host stops.
/// </summary>
internal sealed class ClusterHost(IOptions<FuncExecClientOptions> options, ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("FuncExec.Hosting");
    private ICluster? _cluster;
    private int _stopped;

    /// <summary>The started cluster.</summary>
    /// <exception cref="InvalidOperationException">The host has not started yet, or has stopped.</exception>
    public ICluster Cluster => Volatile.Read(ref _cluster) ?? throw new InvalidOperationException(
        Volatile.Read(ref _stopped) != 0
            ? "the FuncExec cluster was disposed when the host stopped"
            : "the FuncExec cluster starts with the host: resolve ICluster once the host has started (in a request, or in a hosted service's ExecuteAsync), not while the host is being built");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        ICluster cluster;
        if (string.IsNullOrWhiteSpace(settings.Scheduler))
        {
            cluster = await FuncExec.Cluster.StartLocalAsync(
                new LocalClusterOptions { Workers = settings.Workers, DestPath = settings.DestPath, LoggerFactory = loggerFactory },
                cancellationToken).ConfigureAwait(false);
            HostingLog.ClusterStarted(_logger, "an embedded cluster", cluster.WorkerCount);
        }
        else
        {
            cluster = await FuncExec.Cluster.ConnectAsync(
                settings.Scheduler,
                new RemoteClusterOptions
                {
                    Security = Security.From(settings.Secret, settings.SecretFile, settings.CertFile, settings.KeyFile),
                    ConnectTimeout = settings.ConnectTimeout,
                    LoggerFactory = loggerFactory,
                },
                cancellationToken).ConfigureAwait(false);
            HostingLog.ClusterStarted(_logger, $"scheduler {settings.Scheduler}", cluster.WorkerCount);
        }

        Volatile.Write(ref _cluster, cluster);
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync().ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        Volatile.Write(ref _stopped, 1);
        if (Interlocked.Exchange(ref _cluster, null) is { } cluster)
        {
            // Tasks still running end with the cluster: an embedded one kills its workers, a remote one says goodbye.
            await cluster.DisposeAsync().ConfigureAwait(false);
        }
    }
}
