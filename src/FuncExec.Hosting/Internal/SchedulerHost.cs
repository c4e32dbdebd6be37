using FuncExec.Server;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncExec.Hosting.Internal;

/// <summary>
/// Runs the scheduler of <c>AddFuncExecScheduler</c>: it listens once the host has started it, and on stop it stops
/// listening and closes its journal, which keeps the queued tasks and undelivered results for its next start.
/// </summary>
internal sealed class SchedulerHost(IOptions<FuncExecSchedulerOptions> options, ILoggerFactory loggerFactory, IHostApplicationLifetime lifetime)
    : IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("FuncExec.Hosting");
    private readonly TaskCompletionSource<string> _journalLost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SchedulerServer? _server;

    /// <summary>The running scheduler (its endpoint, its state), once started.</summary>
    public SchedulerServer Server => _server ?? throw new InvalidOperationException("the scheduler starts with the host");

    /// <summary>Completes, with why, when the scheduler stopped the host because its journal can no longer be written.</summary>
    public Task<string> JournalLost => _journalLost.Task;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var server = await SchedulerServer.StartAsync(ToServerOptions(options.Value), loggerFactory, cancellationToken).ConfigureAwait(false);
        _server = server;
        _ = server.JournalLost.ContinueWith(
            lost =>
            {
                // A standby may already be taking over from the journal: this scheduler must stop at once.
                HostingLog.JournalLost(_logger, lost.Result);
                _journalLost.TrySetResult(lost.Result);
                lifetime.StopApplication();
            },
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync().ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _server, null) is { } server)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The server's options for <paramref name="o"/>: the same mapping as <c>funcexec scheduler</c>'s.</summary>
    internal static SchedulerServerOptions ToServerOptions(FuncExecSchedulerOptions o) => new()
    {
        IpAddr = o.IpAddr,
        ExtIpAddr = o.ExtIpAddr,
        Port = o.Port,
        UdpPort = o.UdpPort,
        Name = o.Name,
        PulseInterval = o.PulseInterval,
        DestPath = o.DestPath is null ? null : Path.GetFullPath(o.DestPath),
        MaxFileSize = o.MaxFileSize,
        MaxInboundMemory = o.MaxInboundMemory,
        MaxStoreSize = o.MaxStoreSize,
        MaxPendingUploads = o.MaxPendingUploads,
        ProfilePath = o.ProfilePath is null ? null : Path.GetFullPath(o.ProfilePath),
        Security = Security.From(o.Secret, o.SecretFile, o.CertFile, o.KeyFile),
        Insecure = o.Insecure,
        StateDir = o.StateDir is null ? null : Path.GetFullPath(o.StateDir),
        Dashboard = o.Dashboard ? new DashboardOptions { IpAddr = o.DashboardIp, Port = o.DashboardPort, Hosts = [.. o.DashboardHosts] } : null,
        // Empty: journal.db in the state folder.
        Journal = o.NoJournal ? null : o.Journal ?? string.Empty,
        FreshJournal = o.FreshJournal,
        ResultRetention = o.ResultRetention,
        MaxReattachTime = o.MaxReattachTime,
        DefaultReattachTime = o.MaxReattachTime < TimeSpan.FromSeconds(60) ? o.MaxReattachTime : TimeSpan.FromSeconds(60),
    };
}
