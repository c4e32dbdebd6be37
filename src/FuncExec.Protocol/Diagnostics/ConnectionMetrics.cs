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
/// <para>Frames and bytes are totals per role, added atomically once per batch of frames and observed when a
/// collector asks; reasons come from a fixed set, so refusals cannot grow the number of series.</para>
/// </remarks>
internal static class ConnectionMetrics
{
    /// <summary>The attribute naming the other side: <c>client</c>, <c>node</c>, <c>worker</c> or <c>scheduler</c>.</summary>
    public const string PeerRoleKey = "funcexec.peer.role";

    /// <summary>The attribute saying why a peer or frame was refused.</summary>
    public const string ReasonKey = "funcexec.reason";

    private static readonly Meter Meter = new("FuncExec", typeof(ConnectionMetrics).Assembly.GetName().Version?.ToString());

    private static readonly KeyValuePair<string, object?>[] RoleTags =
    [
        new(PeerRoleKey, "scheduler"),
        new(PeerRoleKey, "client"),
        new(PeerRoleKey, "node"),
        new(PeerRoleKey, "worker"),
    ];

    // Totals per peer role, added with Interlocked on the hot paths and read when a collector asks: a frame costs
    // an atomic add whether or not anything listens, never a lookup of its tags.
    private static readonly long[] FramesIn = new long[RoleTags.Length];
    private static readonly long[] FramesOut = new long[RoleTags.Length];
    private static readonly long[] BytesIn = new long[RoleTags.Length];
    private static readonly long[] BytesOut = new long[RoleTags.Length];

    /// <summary>Frames read, by <see cref="PeerRoleKey"/>.</summary>
    public static readonly ObservableCounter<long> FramesReceived = Meter.CreateObservableCounter(
        "funcexec.frames.received", () => Observe(FramesIn), "{frame}", "Frames read from peers, by the peer's role");

    /// <summary>Frames written, by <see cref="PeerRoleKey"/>.</summary>
    public static readonly ObservableCounter<long> FramesSent = Meter.CreateObservableCounter(
        "funcexec.frames.sent", () => Observe(FramesOut), "{frame}", "Frames written to peers, by the peer's role");

    /// <summary>Bytes of frames read (length prefixes included), by <see cref="PeerRoleKey"/>.</summary>
    public static readonly ObservableCounter<long> BytesReceived = Meter.CreateObservableCounter(
        "funcexec.bytes.received", () => Observe(BytesIn), "By", "Bytes of frames read from peers, by the peer's role");

    /// <summary>Bytes of frames written (length prefixes included), by <see cref="PeerRoleKey"/>.</summary>
    public static readonly ObservableCounter<long> BytesSent = Meter.CreateObservableCounter(
        "funcexec.bytes.sent", () => Observe(BytesOut), "By", "Bytes of frames written to peers, by the peer's role");

    /// <summary>Connections refused before they were served, by <see cref="ReasonKey"/>: <c>authentication</c>,
    /// <c>protocol_mismatch</c>, <c>tls</c>, <c>timeout</c>, <c>malformed</c>, <c>io</c>.</summary>
    public static readonly Counter<long> PeersRejected = Meter.CreateCounter<long>(
        "funcexec.peers.rejected", "{connection}", "Connections refused in TLS or the handshake, by reason");

    /// <summary>Frames that closed their connection, by <see cref="ReasonKey"/>: <c>oversized</c>, <c>malformed</c>, <c>slow</c>.</summary>
    public static readonly Counter<long> FramesRejected = Meter.CreateCounter<long>(
        "funcexec.frames.rejected", "{frame}", "Inbound frames refused (over the cap, not a frame, too slow), by reason");

    /// <summary>Counts <paramref name="frames"/> frames of <paramref name="bytes"/> bytes read from a <paramref name="peer"/>.</summary>
    public static void Received(MeteredPeer peer, long frames, long bytes)
    {
        Interlocked.Add(ref FramesIn[(int)peer], frames);
        Interlocked.Add(ref BytesIn[(int)peer], bytes);
    }

    /// <summary>Counts <paramref name="frames"/> frames of <paramref name="bytes"/> bytes written to a <paramref name="peer"/>.</summary>
    public static void Sent(MeteredPeer peer, long frames, long bytes)
    {
        Interlocked.Add(ref FramesOut[(int)peer], frames);
        Interlocked.Add(ref BytesOut[(int)peer], bytes);
    }

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

    private static Measurement<long>[] Observe(long[] totals)
    {
        var measurements = new Measurement<long>[totals.Length];
        for (var i = 0; i < totals.Length; i++)
        {
            measurements[i] = new Measurement<long>(Volatile.Read(ref totals[i]), RoleTags[i]);
        }

        return measurements;
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
