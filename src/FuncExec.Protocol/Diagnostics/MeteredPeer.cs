namespace FuncExec.Protocol.Diagnostics;

/// <summary>The other side of a connection, as <see cref="ConnectionMetrics"/> counts its frames (the attribute
/// <c>funcexec.peer.role</c>).</summary>
internal enum MeteredPeer
{
    /// <summary>The scheduler, as a node or a client sees it.</summary>
    Scheduler,

    /// <summary>A client, as the scheduler sees it.</summary>
    Client,

    /// <summary>A node, as the scheduler sees it.</summary>
    Node,

    /// <summary>A worker process, as its node sees it.</summary>
    Worker,
}
