using System.Threading.Channels;
using FuncExec.Client;
using FuncExec.Core.Tasks;
using FuncExec.Core.Text;
using FuncExec.Node.Remote;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace FuncExec.Broker.Internal;

/// <summary>
/// One broker connection of a <see cref="BrokerServer"/>: deliveries flow from the consumer into a
/// dispatch loop that hands them to the cluster in batches, and finished tasks flow into a publish
/// loop that sends each result (confirmed) and only then acknowledges its delivery.
/// </summary>
/// <remarks>
/// Delivery guarantee (at least once): a delivery is acknowledged only after the broker confirmed its
/// result, so if this process or its connection dies first, the broker hands the task to another
/// consumer, which says <c>"redelivered": true</c> in the result. Nothing from one session is ever
/// acknowledged on another: delivery tags belong to their channel.
/// </remarks>
internal sealed class ServeSession : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _consume;
    private readonly IChannel _publish;
    private readonly ICluster _runner;
    private readonly string _baseDirectory;
    private readonly ILogger _logger;
    private readonly Channel<Delivery> _inbound = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<Outcome> _outbound = Channel.CreateUnbounded<Outcome>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _ended = new();
    private readonly TaskCompletionSource<string> _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Exception> _clusterGone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<bool> _onSettled;
    private Task _dispatching = Task.CompletedTask;
    private Task _publishing = Task.CompletedTask;

    private ServeSession(IConnection connection, IChannel consume, IChannel publish, ICluster runner, string baseDirectory, ILogger logger, Action<bool> onSettled)
    {
        _connection = connection;
        _consume = consume;
        _publish = publish;
        _runner = runner;
        _baseDirectory = baseDirectory;
        _logger = logger;
        _onSettled = onSettled;
    }

    /// <summary>Completes with the reason when the connection or one of its channels closes.</summary>
    public Task<string> Lost => _lost.Task;

    /// <summary>Completes with the cluster's error when the cluster can run nothing more (a scheduler that went
    /// away): serving on would only hand the same tasks back again and again.</summary>
    public Task<Exception> ClusterGone => _clusterGone.Task;

    /// <summary>How many tasks may be unacknowledged at once.</summary>
    public int Prefetch { get; private set; }

    /// <summary>Connects, declares the queues, and starts consuming <paramref name="queue"/>.</summary>
    /// <param name="onSettled">Hears of every delivery settled: true for a result acknowledged, false for one dead-lettered.</param>
    public static async Task<ServeSession> StartAsync(
        ConnectionFactory factory, string queue, int prefetch, ICluster runner, string baseDirectory, ILogger logger, Action<bool> onSettled, CancellationToken cancellationToken)
    {
        var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var consume = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            var publish = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken).ConfigureAwait(false);
            var session = new ServeSession(connection, consume, publish, runner, baseDirectory, logger, onSettled);
            connection.ConnectionShutdownAsync += session.OnShutdownAsync;
            consume.ChannelShutdownAsync += session.OnShutdownAsync;
            publish.ChannelShutdownAsync += session.OnShutdownAsync;
            await TaskQueueTopology.DeclareAsync(consume, queue, cancellationToken).ConfigureAwait(false);

            // Take only what the cluster can start soon; the rest stays on the queue for other servers.
            session.Prefetch = prefetch > 0 ? prefetch : Math.Max(4, 4 * runner.WorkerCount);
            await consume.BasicQosAsync(0, (ushort)Math.Min(session.Prefetch, ushort.MaxValue), global: false, cancellationToken).ConfigureAwait(false);
            session._dispatching = session.DispatchLoopAsync();
            session._publishing = session.PublishLoopAsync();
            var consumer = new AsyncEventingBasicConsumer(consume);
            consumer.ReceivedAsync += session.OnReceivedAsync;
            await consume.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken).ConfigureAwait(false);
            return session;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _lost.TrySetResult("closed");
        await _ended.CancelAsync().ConfigureAwait(false);
        _inbound.Writer.TryComplete();
        _outbound.Writer.TryComplete();
        await _dispatching.ConfigureAwait(false);
        await _publishing.ConfigureAwait(false);
        // Closing the connection hands every unacknowledged task back to the queue.
        await _connection.DisposeAsync().ConfigureAwait(false);
        _ended.Dispose();
    }

    private Task OnShutdownAsync(object sender, ShutdownEventArgs e)
    {
        _lost.TrySetResult(string.IsNullOrEmpty(e.ReplyText) ? e.ReplyCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : e.ReplyText);
        return Task.CompletedTask;
    }

    private Task OnReceivedAsync(object sender, BasicDeliverEventArgs e)
    {
        var properties = e.BasicProperties;
        var taskId = properties.MessageId ?? properties.CorrelationId ?? "";
        // The body's memory is the client library's, lent only for this call.
        _inbound.Writer.TryWrite(new Delivery(e.DeliveryTag, taskId, properties.ReplyTo, e.Redelivered, e.Body.ToArray()));
        return Task.CompletedTask;
    }

    private async Task DispatchLoopAsync()
    {
        try
        {
            while (await _inbound.Reader.WaitToReadAsync(_ended.Token).ConfigureAwait(false))
            {
                var deliveries = new List<Delivery>();
                var tasks = new List<TaskSpec>();
                while (_inbound.Reader.TryRead(out var delivery))
                {
                    if (Read(delivery) is { } task)
                    {
                        deliveries.Add(delivery);
                        tasks.Add(task);
                    }
                }

                if (tasks.Count > 0)
                {
                    _ = RunAsync(deliveries, tasks);
                }
            }
        }
        catch (OperationCanceledException) when (_ended.IsCancellationRequested)
        {
            // The session ended; what was not run stays unacknowledged and goes back to the queue.
        }
    }

    private TaskSpec? Read(Delivery delivery)
    {
        string problem;
        try
        {
            var task = BrokerMessages.DecodeTask(delivery.Body, delivery.TaskId, _baseDirectory);
            if (task.Cores <= _runner.MaxTaskCores)
            {
                return task;
            }

            problem = $"task '{task.Name}' asks for {Plural.Of(task.Cores, "core")}, but the cluster's largest node has {_runner.MaxTaskCores}";
        }
        catch (TaskFileException e)
        {
            // A message that is not a task can never run: refuse it, and only it.
            problem = e.Message;
        }

        BrokerLog.Refused(_logger, delivery.TaskId, problem);
        _outbound.Writer.TryWrite(new Outcome(delivery, BrokerMessages.Refused(delivery.TaskId, problem), OutcomeKind.Refused));
        return null;
    }

    private async Task RunAsync(List<Delivery> deliveries, List<TaskSpec> tasks)
    {
        var finished = new bool[tasks.Count];
        try
        {
            await _runner.RunAsync(
                tasks,
                (index, report) =>
                {
                    finished[index] = true;
                    _outbound.Writer.TryWrite(new Outcome(deliveries[index], report, OutcomeKind.Result));
                },
                _ended.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_ended.IsCancellationRequested)
        {
            // The session ended; the tasks' deliveries were never acknowledged, so they come back.
        }
        catch (FuncExecException e)
        {
            // The cluster refused the batch or went away: give the unfinished tasks back at once.
            var unfinished = Enumerable.Range(0, tasks.Count).Where(i => !Volatile.Read(ref finished[i])).ToList();
            BrokerLog.RunFailed(_logger, unfinished.Count, e.Message);
            foreach (var i in unfinished)
            {
                _outbound.Writer.TryWrite(new Outcome(deliveries[i], null, OutcomeKind.Requeue));
            }

            if (e is SchedulerUnreachableException)
            {
                _clusterGone.TrySetResult(e);
            }
        }
    }

    private async Task PublishLoopAsync()
    {
        var batch = new List<Outcome>();
        try
        {
            while (await _outbound.Reader.WaitToReadAsync(_ended.Token).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < 512 && _outbound.Reader.TryRead(out var outcome))
                {
                    batch.Add(outcome);
                }

                // Publishes run side by side; each completes when the broker confirms it.
                var settled = await Task.WhenAll(batch.Select(PublishResultAsync)).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    await SettleAsync(batch[i], settled[i]).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_ended.IsCancellationRequested)
        {
            // The session ended; what was not acknowledged goes back to the queue.
        }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException)
        {
            // The connection went while results were in flight: none of them is acknowledged, so
            // their tasks come back, to this server once it reconnects or to another.
            _lost.TrySetResult(e.Message);
        }
    }

    /// <returns>True when the delivery may be settled (its result is with the broker, or nobody can ever
    /// take it); false when the task must go back to the queue.</returns>
    private async Task<bool> PublishResultAsync(Outcome outcome)
    {
        var delivery = outcome.Delivery;
        if (outcome.Kind == OutcomeKind.Requeue)
        {
            return false;
        }

        if (string.IsNullOrEmpty(delivery.ReplyTo))
        {
            return true;
        }

        var properties = new BasicProperties
        {
            Persistent = true,
            ContentType = "application/json",
            CorrelationId = delivery.TaskId,
        };
        var body = BrokerMessages.EncodeResult(delivery.TaskId, outcome.Report!, delivery.Redelivered);
        try
        {
            await _publish.BasicPublishAsync("", delivery.ReplyTo, mandatory: true, properties, body, _ended.Token).ConfigureAwait(false);
            return true;
        }
        catch (PublishException e) when (e.IsReturn)
        {
            // The reply queue is gone (its submitter left): running the task again would not bring it back.
            BrokerLog.ReplyQueueMissing(_logger, delivery.TaskId, delivery.ReplyTo);
            return true;
        }
        catch (PublishException)
        {
            BrokerLog.ResultRefused(_logger, delivery.TaskId);
            return false;
        }
    }

    private async Task SettleAsync(Outcome outcome, bool settled)
    {
        var tag = outcome.Delivery.Tag;
        if (!settled)
        {
            await _consume.BasicNackAsync(tag, multiple: false, requeue: true, _ended.Token).ConfigureAwait(false);
        }
        else if (outcome.Kind == OutcomeKind.Refused)
        {
            // Rejected without requeue: the queue's dead-letter exchange takes it.
            await _consume.BasicRejectAsync(tag, requeue: false, _ended.Token).ConfigureAwait(false);
            _onSettled(false);
        }
        else
        {
            // Only now, with its result confirmed, is the task off the queue for good.
            await _consume.BasicAckAsync(tag, multiple: false, _ended.Token).ConfigureAwait(false);
            _onSettled(true);
        }
    }

    private enum OutcomeKind
    {
        Result,
        Refused,
        Requeue,
    }

    private sealed record Delivery(ulong Tag, string TaskId, string? ReplyTo, bool Redelivered, byte[] Body);

    private sealed record Outcome(Delivery Delivery, TaskReport? Report, OutcomeKind Kind);
}
