using FuncExec.Protocol.Connections;
using Microsoft.Extensions.Logging;

namespace FuncExec.Client;

/// <summary>How a client reaches a scheduler.</summary>
/// <remarks>Defaults: no secret, no TLS, 5 s to connect; components and compiled code cached under the temporary directory; no logging.</remarks>
public sealed record RemoteClusterOptions
{
    /// <summary>The defaults.</summary>
    public static RemoteClusterOptions Default { get; } = new();

    /// <summary>Secret and TLS; must match the scheduler's.</summary>
    public TransportSecurity Security { get; init; } = TransportSecurity.Default;

    /// <summary>How long connecting may take before failing with the address tried.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The name this client shows in the scheduler's log.</summary>
    public string Name { get; init; } = $"{Environment.UserName}@{Environment.MachineName}/{Environment.ProcessId}";

    /// <summary>Where compiled code strings are cached between runs; null for the default.</summary>
    public string? CodeCachePath { get; init; }

    /// <summary>Where the client logs (for example a dependency its deps.json lists that is found nowhere, so it
    /// cannot travel); none when null.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
