using FuncExec.Protocol.V1;

namespace FuncExec.Protocol.Connections;

/// <summary>Who connected to the scheduler, as its Hello said.</summary>
/// <param name="Role">Node or client.</param>
/// <param name="Name">The name the peer gave itself (a node's host name, a client's label).</param>
/// <param name="ProtocolVersion">The protocol version it speaks.</param>
internal sealed record PeerHello(PeerRole Role, string Name, uint ProtocolVersion)
{
    /// <summary>Clients: the identity that survives reconnects (its Hello's <c>client_token</c>), unchecked; empty when it gave none.</summary>
    public string ClientToken { get; init; } = string.Empty;

    /// <summary>Clients: how long, in milliseconds, it asks the scheduler to wait for it to reattach; 0 for the scheduler's default.</summary>
    public uint ReattachMs { get; init; }

    /// <summary>The peer for messages: <c>node 'n1'</c>, <c>client 'c'</c>.</summary>
    public override string ToString() => $"{Handshake.Describe(Role)} '{Name}'";
}
