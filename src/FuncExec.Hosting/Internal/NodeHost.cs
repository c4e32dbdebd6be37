using FuncExec.Core.Text;
using FuncExec.Node;
using FuncExec.Node.Remote;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncExec.Hosting.Internal;

/// <summary>
/// Runs the node of <c>AddFuncExecNode</c>: it starts its workers and joins its scheduler once the host has started it.
/// On stop it drains: the scheduler places no more work on it, the tasks it holds but has not started go back to the
/// queue, and the running ones may finish for up to <see cref="FuncExecNodeOptions.DrainTimeout"/> (or until the host's
/// shutdown timeout, if sooner). Then the workers are killed and the node leaves; the scheduler, which heard that it
/// drains, queues the tasks it still ran again for another node without using an attempt.
/// </summary>
internal sealed class NodeHost(IOptions<FuncExecNodeOptions> options, ILoggerFactory loggerFactory, IHostApplicationLifetime lifetime)
    : IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("FuncExec.Node");
    private readonly CancellationTokenSource _stopping = new();
    private NodeAgent? _agent;
    private Task? _run;

    /// <summary>The running node agent, once started.</summary>
    public NodeAgent Agent => _agent ?? throw new InvalidOperationException("the node starts with the host");

    /// <summary>The node's run: it ends when the node is stopped, or faults when its workers could not start (the host is
    /// then stopped too).</summary>
    public Task Completion => _run ?? Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var dest = o.DestPath is null ? null : Path.GetFullPath(o.DestPath);
        if (dest is not null)
        {
            Directory.CreateDirectory(dest);
        }

        var agent = new NodeAgent(
            new NodeAgentOptions
            {
                Schedulers = string.IsNullOrWhiteSpace(o.Scheduler) ? [] : SchedulerAddress.ParseList(o.Scheduler),
                UdpPort = o.UdpPort,
                IpAddr = o.IpAddr,
                ExtIpAddr = o.ExtIpAddr,
                MaxFileSize = o.MaxFileSize,
                Security = Security.From(o.Secret, o.SecretFile, o.CertFile, o.KeyFile),
                Node = new NodeOptions { Name = o.Name, Workers = o.Cpus, DestPath = dest, MaxStoreSize = o.MaxStoreSize },
            },
            loggerFactory);
        _agent = agent;
        // Runs until stopped: starting workers and finding the scheduler must not hold up the host's other services.
        _run = Task.Run(() => agent.RunAsync(_stopping.Token), CancellationToken.None);
        _ = _run.ContinueWith(
            _ => lifetime.StopApplication(),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_agent is not { } agent || _run is not { } run)
        {
            return;
        }

        if (!run.IsCompleted)
        {
            var timeout = options.Value.DrainTimeout;
            var name = options.Value.Name;
            HostingLog.Draining(_logger, name, agent.TasksInHand, Durations.Format(timeout));
            using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            drain.CancelAfter(timeout);
            try
            {
                await agent.DrainAsync(drain.Token).ConfigureAwait(false);
                HostingLog.Drained(_logger, name);
            }
            catch (OperationCanceledException) when (drain.IsCancellationRequested)
            {
                HostingLog.DrainTimedOut(_logger, name, agent.TasksInHand);
            }
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        // A run that failed (workers that could not start) is reported through Completion, not by stopping.
        await run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _agent, null) is { } agent)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            // Kills the workers, and with them any task still running.
            await agent.DisposeAsync().ConfigureAwait(false);
        }
    }
}
