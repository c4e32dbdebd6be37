using FuncExec.Protocol.Connections;

namespace FuncExec.Protocol.Tests.Support;

/// <summary>How one connection to a <see cref="TestScheduler"/> ended its handshake: a peer and its stream, or an error.</summary>
internal sealed record AcceptOutcome(PeerHello? Peer, Stream? Stream, Exception? Error);
