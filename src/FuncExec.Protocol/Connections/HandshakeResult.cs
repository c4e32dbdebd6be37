using FuncExec.Protocol.V1;

namespace FuncExec.Protocol.Connections;

/// <summary>What a node or client learns from a successful handshake.</summary>
/// <param name="Welcome">The scheduler's welcome: this connection's session and the pulse interval.</param>
/// <param name="SchedulerName">The name the scheduler gave itself.</param>
internal sealed record HandshakeResult(Welcome Welcome, string SchedulerName)
{
    /// <summary>The id the scheduler gave this connection (node index or client id).</summary>
    public long Session => Welcome.Session;

    /// <summary>How often both sides send a Pulse: what the scheduler said, taken as 10 ms to a day, so no value it sends
    /// is beyond what a timer can wait.</summary>
    public TimeSpan PulseInterval => TimeSpan.FromMilliseconds(Math.Clamp(Welcome.PulseIntervalMs, 10, 24 * 60 * 60 * 1000));
}
