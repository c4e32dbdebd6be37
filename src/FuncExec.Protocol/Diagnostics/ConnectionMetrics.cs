using System.Diagnostics.Metrics;
using FuncExec.Protocol.Connections;

namespace FuncExec.Protocol.Diagnostics;

/// <summary>
/// The instruments of connections: frames and bytes each way by the peer's role, peers refused before or in the
/// handshake and frames refused, by reason.
/// </summary>
/// <remarks>
/// <para>The meter is named <c>FuncExec</c> like <c>FuncExec.Core.Telemetry.FuncExecTelemetry.Meter</c>, whose
/// assembly this one does not reference: a listener that enables the meter <c>FuncExec</c> (<c>AddMeter("FuncExec")</c>)
/// gets both, and no instrument name is in both.</para>
/// <para>The read and write loops add once per batch of frames, with one prebuilt tag; reasons come from a fixed
/// set, so refusals cannot grow the number of series.</para>
/// </remarks>
internal static class ConnectionMetrics
{
    /// <summary>The attribute naming the other side: <c>client</c>, <c>node</c>, <c>worker</c> or <c>scheduler</c>.</summary>
    public const string PeerRoleKey = "funcexec.peer.role";

    /// <summary>The attribute saying why a peer or frame was refused.</summary>
    public const string ReasonKey = "funcexec.reason";

    private static readonly Meter Meter = new("FuncExec", typeof(ConnectionMetrics).Assembly.GetName().Version?.ToString());

    /// <summary>Frames read, by <see cref="PeerRoleKey"/>.</summary>
    public static readonly Counter<long> FramesReceived = Meter.CreateCounter<long>(
        "funcexec.frames.received", "{frame}", "Frames read from peers, by the peer's role");

    /// <summary>Frames written, by <see cref="PeerRoleKey"/>.</summary>
    public static readonly Counter<long> FramesSent = Meter.CreateCounter<long>(
        "funcexec.frames.sent", "{frame}", "Frames written to peers, by the peer's role");

    /// <summary>Bytes of frames read (length prefixes included), by <see cref="PeerRoleKey"/>.</summary>
    public static readonly Counter<long> BytesReceived = Meter.CreateCounter<long>(
        "funcexec.bytes.received", "By", "Bytes of frames read from peers, by the peer's role");

    /// <summary>Bytes of frames written (length prefixes included), by <see cref="PeerRoleKey"/>.</summary>
    public static readonly Counter<long> BytesSent = Meter.CreateCounter<long>(
        "funcexec.bytes.sent", "By", "Bytes of frames written to peers, by the peer's role");

    /// <summary>Connections refused before they were served, by <see cref="ReasonKey"/>: <c>authentication</c>,
    /// <c>protocol_mismatch</c>, <c>tls</c>, <c>timeout</c>, <c>malformed</c>, <c>io</c>.</summary>
    public static readonly Counter<long> PeersRejected = Meter.CreateCounter<long>(
        "funcexec.peers.rejected", "{connection}", "Connections refused in TLS or the handshake, by reason");

    /// <summary>Frames that closed their connection, by <see cref="ReasonKey"/>: <c>oversized</c>, <c>malformed</c>, <c>slow</c>.</summary>
    public static readonly Counter<long> FramesRejected = Meter.CreateCounter<long>(
        "funcexec.frames.rejected", "{frame}", "Inbound frames refused (over the cap, not a frame, too slow), by reason");

    /// <summary>The tag of a client peer.</summary>
    public static readonly KeyValuePair<string, object?> Client = new(PeerRoleKey, "client");

    /// <summary>The tag of a node peer.</summary>
    public static readonly KeyValuePair<string, object?> Node = new(PeerRoleKey, "node");

    /// <summary>The tag of a worker peer.</summary>
    public static readonly KeyValuePair<string, object?> Worker = new(PeerRoleKey, "worker");

    /// <summary>The tag of the scheduler, as a node or client sees it.</summary>
    public static readonly KeyValuePair<string, object?> Scheduler = new(PeerRoleKey, "scheduler");

    /// <summary>Counts a connection refused because of <paramref name="failure"/>.</summary>
    public static void PeerRejected(Exception failure) => PeersRejected.Add(1, new KeyValuePair<string, object?>(ReasonKey, RejectionReason(failure)));

    /// <summary>Counts a connection refused for <paramref name="reason"/>, one of the reasons of <see cref="PeersRejected"/>.</summary>
    public static void PeerRejected(string reason) => PeersRejected.Add(1, new KeyValuePair<string, object?>(ReasonKey, reason));

    /// <summary>Counts the frame that closed a connection, when <paramref name="kind"/> says a frame was refused.</summary>
    public static void FrameRejected(CloseReasonKind kind)
    {
        var reason = kind switch
        {
            CloseReasonKind.OversizedFrame => "oversized",
            CloseReasonKind.MalformedFrame => "malformed",
            CloseReasonKind.SlowFrame => "slow",
            _ => null,
        };
        if (reason is not null)
        {
            FramesRejected.Add(1, new KeyValuePair<string, object?>(ReasonKey, reason));
        }
    }

    /// <summary>The reason, from the fixed set of <see cref="PeersRejected"/>, that <paramref name="failure"/> stands for.</summary>
    public static string RejectionReason(Exception failure) => failure switch
    {
        AuthenticationFailedException => "authentication",
        ProtocolMismatchException => "protocol_mismatch",
        TlsMismatchException => "tls",
        HandshakeTimeoutException or OperationCanceledException or TimeoutException => "timeout",
        PeerProtocolException => "malformed",
        _ => "io",
    };
}
