using FuncExec.Protocol.V1;

namespace FuncExec.Protocol.Connections;

/// <summary>What a node or client learns from a successful handshake.</summary>
/// <param name="Welcome">The scheduler's welcome: this connection's session and the pulse interval.</param>
/// <param name="SchedulerName">The name the scheduler gave itself.</param>
internal sealed record HandshakeResult(Welcome Welcome, string SchedulerName)
{
    /// <summary>The id the scheduler gave this connection (node index or client id).</summary>
    public long Session => Welcome.Session;

    /// <summary>How often both sides send a Pulse.</summary>
    public TimeSpan PulseInterval => TimeSpan.FromMilliseconds(Welcome.PulseIntervalMs);
}
