using FuncExec.Protocol.Connections;
using Microsoft.Extensions.Logging;

namespace FuncExec;

/// <summary>How a client reaches a scheduler.</summary>
/// <remarks>Defaults: no secret, no TLS, 5 s to connect, 60 s to reattach; components and compiled code cached under the temporary directory; no logging.</remarks>
public sealed record RemoteClusterOptions
{
    /// <summary>The defaults.</summary>
    public static RemoteClusterOptions Default { get; } = new();

    /// <summary>Secret and TLS; must match the scheduler's.</summary>
    public TransportSecurity Security { get; init; } = TransportSecurity.Default;

    /// <summary>How long connecting may take before failing with the address tried.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the client keeps reconnecting after its connection to the scheduler drops (closed, or the
    /// scheduler silent for 5 pulse intervals), and how long the scheduler keeps its work for it meanwhile.</summary>
    /// <remarks>
    /// <para>Default 60 s. While it reconnects (with backoff from 100 ms to 2 s, over every address it was given),
    /// tasks keep waiting, submissions are held and sent once it is back, and requests that need an answer now
    /// (status, kill, cancel, messages, opening a computation) fail with a <see cref="SchedulerUnreachableException"/>
    /// saying it is reconnecting. Once back it resumes: every result reaches its task once, those finished while it
    /// was away included.</para>
    /// <para>When the scheduler has not come back in time, every waiting task and call fails with a
    /// <see cref="SchedulerUnreachableException"/> saying so. <see cref="TimeSpan.Zero"/>: no reattaching;
    /// a lost connection fails everything at once.</para>
    /// </remarks>
    public TimeSpan ReattachTime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The name this client shows in the scheduler's log.</summary>
    public string Name { get; init; } = $"{Environment.UserName}@{Environment.MachineName}/{Environment.ProcessId}";

    /// <summary>Where compiled code strings are cached between runs; null for the default.</summary>
    public string? CodeCachePath { get; init; }

    /// <summary>Where the client logs (for example a dependency its deps.json lists that is found nowhere, so it
    /// cannot travel); none when null.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
