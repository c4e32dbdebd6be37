using RabbitMQ.Client;

namespace FuncExec.Broker.Internal;

/// <summary>
/// The queues a task queue is made of: the durable task queue itself, declared with
/// <c>x-max-priority</c> = <see cref="MaxPriority"/> and <c>x-dead-letter-exchange</c> = <c>QUEUE.dead</c>,
/// and that fanout exchange with the durable queue <c>QUEUE.dead</c> bound to it, where rejected
/// (malformed) messages land. Every party declares the same, so whichever starts first creates them.
/// </summary>
internal static class TaskQueueTopology
{
    /// <summary>The highest AMQP priority the task queue orders by; a task's priority is clamped to 0..this.</summary>
    public const int MaxPriority = 10;

    /// <summary>The dead-letter exchange and queue of <paramref name="queue"/>.</summary>
    public static string DeadLetterName(string queue) => queue + ".dead";

    /// <summary>The AMQP priority of a message carrying a task of <paramref name="priority"/>.</summary>
    public static byte MessagePriority(int priority) => (byte)Math.Clamp(priority, 0, MaxPriority);

    public static async Task DeclareAsync(IChannel channel, string queue, CancellationToken cancellationToken)
    {
        var dead = DeadLetterName(queue);
        await channel.ExchangeDeclareAsync(dead, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueDeclareAsync(dead, durable: true, exclusive: false, autoDelete: false, arguments: null, cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueBindAsync(dead, dead, routingKey: "", cancellationToken: cancellationToken).ConfigureAwait(false);
        var arguments = new Dictionary<string, object?>
        {
            ["x-max-priority"] = MaxPriority,
            ["x-dead-letter-exchange"] = dead,
        };
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Declares a durable queue for results that outlive their submitter.</summary>
    public static Task DeclareResultQueueAsync(IChannel channel, string queue, CancellationToken cancellationToken) =>
        channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: null, cancellationToken: cancellationToken);
}
