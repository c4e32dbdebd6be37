namespace FuncExec.Protocol.Connections;

/// <summary>Why a <see cref="FrameConnection"/> closed.</summary>
internal enum CloseReasonKind
{
    /// <summary>This side closed it: <see cref="FrameConnection.CloseAsync"/> or <see cref="FrameConnection.DisposeAsync"/>.</summary>
    LocalClose,

    /// <summary>The peer closed its end (possibly in the middle of a frame).</summary>
    PeerClosed,

    /// <summary>The transport failed: the connection was reset or aborted, or another I/O error.</summary>
    Reset,

    /// <summary>The peer announced a frame over the size cap.</summary>
    OversizedFrame,

    /// <summary>The peer sent a frame that does not parse as a <c>ClusterEnvelope</c>.</summary>
    MalformedFrame,

    /// <summary>The frame handler threw.</summary>
    HandlerFailed,

    /// <summary>
    /// A frame holding bytes of an <see cref="InboundMemoryBudget"/> did not arrive at its minimum
    /// rate (a slow or stalled peer, or one stuck behind a full budget for too long).
    /// </summary>
    SlowFrame,
}
