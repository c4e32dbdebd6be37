using FuncExec.Protocol.Connections;
using FuncExec.Protocol.Resilience;

namespace FuncExec.Node.Remote;

/// <summary>How <c>funcexec node</c> runs.</summary>
/// <remarks>Defaults: find the scheduler by UDP broadcast on port 9700; all cores; 10 MiB maximum component file; reconnect backoff from 0.5 s up to 10 s.</remarks>
internal sealed record NodeAgentOptions
{
    /// <summary>The scheduler to join; null to find one by UDP discovery. Setting it sets <see cref="Schedulers"/> to it alone.</summary>
    public SchedulerAddress? Scheduler
    {
        get => Schedulers.Count > 0 ? Schedulers[0] : null;
        init => Schedulers = value is null ? [] : [value];
    }

    /// <summary>The schedulers to join, tried in turn: an active one and its standbys (<c>--scheduler a:9700,b:9700</c>).
    /// Once joined, the node stays with that one; when it is lost, all are tried again. Empty to find one by UDP discovery.</summary>
    public IReadOnlyList<SchedulerAddress> Schedulers { get; init; } = [];

    /// <summary>The UDP port for discovery.</summary>
    public int UdpPort { get; init; } = SchedulerAddress.DefaultPort;

    /// <summary>Local address to connect from (the seed's <c>--ip-addr</c>); null for any.</summary>
    public string? IpAddr { get; init; }

    /// <summary>The address others should use for this node, shown in status.</summary>
    public string? ExtIpAddr { get; init; }

    /// <summary>The workers: count, name, component store.</summary>
    public NodeOptions Node { get; init; } = NodeOptions.Default;

    /// <summary>The largest component file this node accepts.</summary>
    public long MaxFileSize { get; init; } = 10 * 1024 * 1024;

    /// <summary>Secret and TLS.</summary>
    public TransportSecurity Security { get; init; } = TransportSecurity.Default;

    /// <summary>How long one connection attempt may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between reconnection attempts.</summary>
    /// <remarks>The first wait is 0.5 s (or this, when shorter), doubling up to this, each spread over its upper half.</remarks>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The rejoin policy for a given <see cref="MaxBackoff"/>.</summary>
    internal static BackoffOptions RejoinBackoff(TimeSpan maxBackoff)
    {
        var max = maxBackoff > TimeSpan.Zero ? maxBackoff : TimeSpan.FromMilliseconds(1);
        var first = TimeSpan.FromMilliseconds(500);
        return new BackoffOptions { InitialDelay = first < max ? first : max, MaxDelay = max, Jitter = BackoffJitter.Equal };
    }
}
