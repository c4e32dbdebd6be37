using System.Collections.Concurrent;
using System.Net.Sockets;
using FuncExec.Broker.Internal;
using FuncExec.Core.Tasks;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace FuncExec;

/// <summary>Submits tasks to a RabbitMQ task queue that <c>funcexec broker serve</c> (or a <see cref="BrokerServer"/>) consumes.</summary>
/// <remarks>
/// Each task is a persistent JSON message (see the README's message format) published with
/// publisher confirms: once <see cref="SubmitAsync"/> returns, the broker has it on disk. Results come
/// back to a private queue of this client, matched by <c>correlation_id</c>; a task delivered twice
/// (its first server died) may be answered twice, and the first answer wins. The private queue goes
/// with the connection: results of tasks still running then are lost to this client.
/// </remarks>
/// <example>
/// <code>
/// await using var broker = await BrokerClient.ConnectAsync("amqp://guest:guest@localhost:5672/");
/// var task = await broker.SubmitAsync(TaskSpec.ForMethod("System.Math.Max", 1, 2));
/// TaskReport report = await task;
/// </code>
/// </example>
public sealed class BrokerClient : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly BrokerClientOptions _options;
    private readonly string _replyTo;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<TaskReport>> _waiting = new(StringComparer.Ordinal);

    private BrokerClient(IConnection connection, IChannel channel, BrokerClientOptions options, string url, string replyTo)
    {
        _connection = connection;
        _channel = channel;
        _options = options;
        Url = url;
        _replyTo = replyTo;
    }

    /// <summary>The broker's URL, without its password.</summary>
    public string Url { get; }

    /// <summary>Connects to the broker at <paramref name="url"/> (<c>amqp://user:password@host:5672/vhost</c>)
    /// and declares the task queue, and the result queue if one is named.</summary>
    /// <exception cref="BrokerConnectionException">The URL is malformed, nothing answered there, or the login was refused;
    /// the message names the URL without its password.</exception>
    public static async Task<BrokerClient> ConnectAsync(string url, BrokerClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= BrokerClientOptions.Default;
        var redacted = BrokerUrl.Redact(url);
        var factory = BrokerUrl.CreateFactory(url, options.ConnectTimeout, $"funcexec client {Environment.MachineName}/{Environment.ProcessId}");
        IConnection connection;
        try
        {
            connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BrokerUnreachableException or OperationInterruptedException or IOException or SocketException or TimeoutException)
        {
            throw new BrokerConnectionException(redacted, $"cannot connect ({BrokerUrl.Reason(e)}); check the URL, that rabbitmq-server runs there, and the user and password", e);
        }

        try
        {
            var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken).ConfigureAwait(false);
            await TaskQueueTopology.DeclareAsync(channel, options.Queue, cancellationToken).ConfigureAwait(false);
            string replyTo;
            if (options.ResultQueue is { } resultQueue)
            {
                await TaskQueueTopology.DeclareResultQueueAsync(channel, resultQueue, cancellationToken).ConfigureAwait(false);
                replyTo = resultQueue;
            }
            else
            {
                var declared = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, arguments: null, cancellationToken: cancellationToken).ConfigureAwait(false);
                replyTo = declared.QueueName;
            }

            var client = new BrokerClient(connection, channel, options, redacted, replyTo);
            connection.ConnectionShutdownAsync += client.OnShutdownAsync;
            if (options.ResultQueue is null)
            {
                var consumer = new AsyncEventingBasicConsumer(channel);
                consumer.ReceivedAsync += client.OnResultAsync;
                await channel.BasicConsumeAsync(replyTo, autoAck: true, consumer, cancellationToken).ConfigureAwait(false);
            }

            return client;
        }
        catch (OperationInterruptedException e)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new BrokerConnectionException(redacted, $"cannot set up the queue '{options.Queue}' ({e.Message}); was it declared with other arguments?", e);
        }
    }

    /// <summary>Publishes <paramref name="task"/> to the task queue and returns once the broker has confirmed it.</summary>
    /// <exception cref="BrokerConnectionException">The broker refused the message or the connection is gone.</exception>
    public async Task<BrokerTask> SubmitAsync(TaskSpec task, CancellationToken cancellationToken = default) =>
        (await SubmitAllAsync([task], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Publishes every task, in order, and returns once the broker has confirmed them all.</summary>
    /// <exception cref="BrokerConnectionException">The broker refused a message or the connection is gone.</exception>
    public async Task<IReadOnlyList<BrokerTask>> SubmitAllAsync(IReadOnlyList<TaskSpec> tasks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var submitted = new BrokerTask[tasks.Count];
        var publishes = new Task[tasks.Count];
        for (var i = 0; i < tasks.Count; i++)
        {
            var task = tasks[i];
            var id = Guid.CreateVersion7().ToString();
            TaskCompletionSource<TaskReport>? report = null;
            if (_options.ResultQueue is null)
            {
                report = new TaskCompletionSource<TaskReport>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting[id] = report;
            }

            submitted[i] = new BrokerTask(id, task.Name, report?.Task, _options.ResultQueue);
            var properties = new BasicProperties
            {
                Persistent = true,
                ContentType = "application/json",
                MessageId = id,
                CorrelationId = id,
                ReplyTo = _replyTo,
                Priority = TaskQueueTopology.MessagePriority(task.Priority),
            };

            // Publishes are pipelined: each completes when the broker confirms it.
            publishes[i] = _channel.BasicPublishAsync("", _options.Queue, mandatory: true, properties, BrokerMessages.EncodeTask(task), cancellationToken).AsTask();
        }

        try
        {
            await Task.WhenAll(publishes).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PublishException or AlreadyClosedException or OperationInterruptedException or IOException)
        {
            foreach (var task in submitted)
            {
                _waiting.TryRemove(task.Id, out _);
            }

            throw new BrokerConnectionException(Url, $"the task queue '{_options.Queue}' did not take the tasks ({e.Message})", e);
        }

        return submitted;
    }

    /// <summary>Closes the connection; tasks not yet answered fail with <see cref="BrokerConnectionException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync().ConfigureAwait(false);
        FailAll("the client was closed");
    }

    private Task OnResultAsync(object sender, BasicDeliverEventArgs e)
    {
        string? taskId;
        TaskReport report;
        try
        {
            (taskId, report) = BrokerMessages.DecodeResult(e.Body);
        }
        catch (FormatException)
        {
            // Not a result of ours (something else wrote to our queue): nothing waits for it.
            return Task.CompletedTask;
        }

        // A task delivered twice may be answered twice: the first answer wins.
        if ((e.BasicProperties.CorrelationId ?? taskId) is { } id && _waiting.TryRemove(id, out var waiter))
        {
            waiter.TrySetResult(report);
        }

        return Task.CompletedTask;
    }

    private Task OnShutdownAsync(object sender, ShutdownEventArgs e)
    {
        FailAll($"the connection was lost ({e.ReplyText}); results of tasks not yet answered went with it");
        return Task.CompletedTask;
    }

    private void FailAll(string reason)
    {
        foreach (var id in _waiting.Keys)
        {
            if (_waiting.TryRemove(id, out var waiter))
            {
                waiter.TrySetException(new BrokerConnectionException(Url, reason));
            }
        }
    }
}
