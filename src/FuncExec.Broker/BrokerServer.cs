using System.Net.Sockets;
using FuncExec.Broker.Internal;
using FuncExec.Client;
using FuncExec.Core.Text;
using FuncExec.Protocol.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client.Exceptions;

namespace FuncExec;

/// <summary>
/// Takes tasks off a RabbitMQ task queue, runs them on a FuncExec cluster, and sends each result to
/// the task's <c>reply_to</c> queue: the bridge between many producers and one pool of workers.
/// </summary>
/// <remarks>
/// <para>At least once: a task message is acknowledged only after its result is confirmed by the broker,
/// so a server that dies mid-task leaves it to be delivered again (its result then says
/// <c>"redelivered": true</c>). Results are keyed by the task's id (<c>correlation_id</c>); a consumer
/// of results keeps the first per id.</para>
/// <para>A message that is not a task (bad JSON, unknown keys, no function) is rejected to the dead-letter
/// queue <c>QUEUE.dead</c> and, when it has a <c>reply_to</c>, answered with a failed result naming the problem.</para>
/// <para>When the connection is lost the server reconnects with backoff, logging each attempt.</para>
/// </remarks>
/// <example>
/// <code>
/// await using var cluster = await Cluster.StartLocalAsync();
/// await new BrokerServer("amqp://guest:guest@localhost:5672/", cluster).RunAsync(stoppingToken);
/// </code>
/// </example>
public sealed class BrokerServer
{
    private readonly string _url;
    private readonly ICluster _runner;
    private readonly BrokerServerOptions _options;
    private readonly ILogger _logger;
    private long _completed;
    private long _deadLettered;

    /// <summary>Creates a server for the broker at <paramref name="url"/> that runs tasks on <paramref name="cluster"/>
    /// (<see cref="Cluster.StartLocalAsync"/> or <see cref="Cluster.ConnectAsync"/>, owned by the caller).</summary>
    public BrokerServer(string url, ICluster cluster, BrokerServerOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        ArgumentNullException.ThrowIfNull(cluster);
        _url = url;
        _runner = cluster;
        _options = options ?? BrokerServerOptions.Default;
        _logger = (_options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("FuncExec.Broker");
        Url = BrokerUrl.Redact(url);
    }

    /// <summary>The broker's URL, without its password.</summary>
    public string Url { get; }

    /// <summary>Tasks whose results were sent and whose messages were acknowledged.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Messages that were not tasks, rejected to the dead-letter queue.</summary>
    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    /// <summary>Consumes the task queue until <paramref name="cancellationToken"/> fires; tasks not yet
    /// answered then go back to the queue.</summary>
    /// <exception cref="BrokerConnectionException">The first connection failed (wrong URL, nothing listening,
    /// login refused); later losses are retried, not thrown.</exception>
    /// <exception cref="ClusterGoneException">The cluster can run nothing more (the scheduler of a
    /// <see cref="RemoteCluster"/> went away); the tasks in hand went back to the queue first.</exception>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        var factory = BrokerUrl.CreateFactory(_url, _options.ConnectTimeout, $"funcexec broker serve {Environment.MachineName}/{Environment.ProcessId}");
        var baseDirectory = _options.BaseDirectory ?? Directory.GetCurrentDirectory();
        var backoff = new Backoff(_options.ReconnectBackoff(), _options.TimeProvider);
        var first = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            ServeSession session;
            try
            {
                session = await ServeSession.StartAsync(
                    factory, _options.Queue, _options.Prefetch, _runner, baseDirectory, _logger, OnSettled, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (IsConnectionFailure(e))
            {
                if (first)
                {
                    throw new BrokerConnectionException(Url, $"cannot connect ({BrokerUrl.Reason(e)}); check the URL, that rabbitmq-server runs there, and the user and password", e);
                }

                var retry = backoff.NextDelay();
                BrokerLog.ReconnectFailed(_logger, Url, BrokerUrl.Reason(e), Durations.Format(retry));
                await WaitAsync(retry, cancellationToken).ConfigureAwait(false);
                continue;
            }

            first = false;
            backoff.Reset();
            TimeSpan delay;
            await using (session.ConfigureAwait(false))
            {
                BrokerLog.Serving(_logger, _options.Queue, Url, session.Prefetch, _runner.WorkerCount);
                string reason;
                try
                {
                    var ended = await Task.WhenAny(session.Lost, session.ClusterGone).WaitAsync(cancellationToken).ConfigureAwait(false);
                    if (ended == session.ClusterGone)
                    {
                        // Closing the session (leaving this block) gives back every task not yet answered.
                        throw new ClusterGoneException(
                            $"the cluster can run nothing more ({session.ClusterGone.Result.Message}); the tasks in hand went back to the queue",
                            session.ClusterGone.Result);
                    }

                    reason = await session.Lost.ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Stopping: closing the session hands back what was not answered.
                    return;
                }

                delay = backoff.NextDelay();
                BrokerLog.ConnectionLost(_logger, Url, reason, Durations.Format(delay));
            }

            await WaitAsync(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsConnectionFailure(Exception e) =>
        e is BrokerUnreachableException or OperationInterruptedException or AlreadyClosedException or IOException or SocketException or TimeoutException;

    private void OnSettled(bool succeeded) => Interlocked.Increment(ref succeeded ? ref _completed : ref _deadLettered);

    private async Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the loop condition ends the run.
        }
    }
}
