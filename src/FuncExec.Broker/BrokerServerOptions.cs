using FuncExec.Protocol.Resilience;
using Microsoft.Extensions.Logging;

namespace FuncExec;

/// <summary>How a <see cref="BrokerServer"/> consumes its task queue.</summary>
/// <remarks>
/// Defaults: the queue <c>funcexec.tasks</c>; a prefetch of 4 × the cluster's workers (at least 4, as Celery's default prefetch multiplier);
/// reconnect after 1 s, doubling to at most 30 s; 5 s to connect; relative assembly paths resolve
/// against the current directory; no logging.
/// </remarks>
public sealed record BrokerServerOptions
{
    /// <summary>The defaults.</summary>
    public static BrokerServerOptions Default { get; } = new();

    /// <summary>The task queue.</summary>
    public string Queue { get; init; } = BrokerClientOptions.DefaultQueue;

    /// <summary>How many tasks may be taken off the queue and not yet answered; 0 for 4 × the cluster's workers. Raise it for tiny tasks (more in flight), lower it to 1 for long tasks shared by many serve processes.</summary>
    public int Prefetch { get; init; }

    /// <summary>The wait before the first reconnection attempt after the broker connection is lost.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between reconnection attempts; the wait doubles up to it.</summary>
    /// <remarks>Each wait is spread over its upper half, so that servers cut off together do not return together.</remarks>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The reconnect policy these options describe.</summary>
    internal BackoffOptions ReconnectBackoff()
    {
        var first = ReconnectDelay > TimeSpan.Zero ? ReconnectDelay : TimeSpan.FromMilliseconds(1);
        return new BackoffOptions
        {
            InitialDelay = first,
            MaxDelay = MaxReconnectDelay > first ? MaxReconnectDelay : first,
            Jitter = BackoffJitter.Equal,
        };
    }

    /// <summary>How long connecting may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The directory relative <c>assembly</c> paths of tasks resolve against; null for the current directory.</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>Where the server logs.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The clock of the reconnection waits.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
