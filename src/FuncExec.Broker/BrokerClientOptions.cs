namespace FuncExec;

/// <summary>How a <see cref="BrokerClient"/> submits tasks.</summary>
/// <remarks>
/// Defaults: the queue <c>funcexec.tasks</c>; results come back to a private queue of the client
/// (exclusive, gone with its connection), so every submitted task can be awaited; 5 s to connect.
/// </remarks>
public sealed record BrokerClientOptions
{
    /// <summary>The task queue's default name.</summary>
    public const string DefaultQueue = "funcexec.tasks";

    /// <summary>The default durable queue for results nobody waits for.</summary>
    public const string DefaultResultQueue = "funcexec.results";

    /// <summary>The defaults.</summary>
    public static BrokerClientOptions Default { get; } = new();

    /// <summary>The task queue.</summary>
    public string Queue { get; init; } = DefaultQueue;

    /// <summary>A durable queue (declared if missing) the results go to, for another program to read;
    /// null for the client's private queue, which is what lets a <see cref="BrokerTask"/> be awaited.</summary>
    public string? ResultQueue { get; init; }

    /// <summary>How long connecting may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
