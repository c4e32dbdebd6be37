using System.Net;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.Diagnostics;
using FuncExec.Protocol.V1;
using FuncExec.Server.Sessions;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace FuncExec.Server;

/// <summary>
/// Kestrel's seam for the FuncExec protocol: each TCP connection is secured (TLS when
/// configured), authenticated by the handshake, then served as a node or a client.
/// </summary>
/// <remarks>A connection that fails any step is closed with its reason logged once (and a flood
/// of them from one address as one line per 10 s); nothing else is affected. Connections that pass
/// the handshake are logged the same way: a client connecting, leaving, or its connection failing
/// writes at most one line of each kind per address per 10 s, with a count of the rest. After the
/// handshake, each connection's frames are capped for its role and charged to the server's one
/// <see cref="InboundMemoryBudget"/>.</remarks>
internal sealed class ClusterConnectionHandler : ConnectionHandler
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly SchedulerServer _server;
    private readonly ILogger _logger;
    private long _sessions;

    public ClusterConnectionHandler(SchedulerServer server, ILoggerFactory loggerFactory)
    {
        _server = server;
        _logger = loggerFactory.CreateLogger("FuncExec.Scheduler");
    }

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var remote = connection.RemoteEndPoint?.ToString() ?? "?";
        // Logs are limited by address, not port: each connection of a flood comes from a new port.
        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address.ToString() ?? remote;
        Stream stream = new DuplexPipeStream(connection.Transport);
        // A peer that connects and says nothing must not hold the connection forever. Not linked
        // to ConnectionClosed: a peer that sends its last frame and hangs up (a refused peer's
        // empty proof) must still have that frame read.
        using var opening = new CancellationTokenSource(HandshakeTimeout);
        var admitted = false;
        try
        {
            var security = await _server.SecurityReady.WaitAsync(opening.Token).ConfigureAwait(false);
            stream = await SecureTransport.AcceptAsync(stream, security, connection.RemoteEndPoint, opening.Token).ConfigureAwait(false);
            var hello = await Handshake.AcceptAsync(
                stream,
                security,
                _server.Options.Name,
                peer => new Welcome
                {
                    Session = Interlocked.Increment(ref _sessions),
                    PulseIntervalMs = (uint)_server.Options.PulseInterval.TotalMilliseconds,
                    Resumed = peer.Role == PeerRole.Client && _server.Clients.Knows(CheckedToken(peer)),
                    // Said, so that a client splits its submissions under it and refuses a task too big to send.
                    MaxFrameSize = (uint)(peer.Role == PeerRole.Client ? _server.ClientFrameCap : _server.NodeFrameCap),
                },
                HandshakeTimeout,
                opening.Token).ConfigureAwait(false);
            admitted = true;
            var cap = hello.Role == PeerRole.Client ? _server.ClientFrameCap : _server.NodeFrameCap;
            var frames = new FrameConnection(stream, $"{hello.Role} {hello.Name} at {remote}", _logger, cap, budget: _server.InboundBudget)
            {
                CloseLog = _server.SessionLog,
                CloseLogKey = address,
                PeerRole = hello.Role == PeerRole.Client ? MeteredPeer.Client : MeteredPeer.Node,
                // A client's frame over the cap closes its connection; the client is told why first, rather than seeing a reset.
                OversizedFrameReply = hello.Role == PeerRole.Client ? OversizedClientFrame : null,
            };
            switch (hello.Role)
            {
                case PeerRole.Node:
                    var node = new NodeSession(_server, frames, remote, _logger);
                    _server.Track(node);
                    try
                    {
                        await node.RunAsync(_server.Stopping).ConfigureAwait(false);
                    }
                    finally
                    {
                        // A node that rejoins is a new session: the old one, its connection and buffers go.
                        _server.Untrack(node);
                    }

                    break;
                case PeerRole.Client:
                    ClientJoined(hello.Name, remote, address);
                    var session = new ClientSession(_server, frames, hello.Name, _logger) { Remote = remote, Address = address };
                    var client = _server.Clients.Attach(session, hello);
                    await session.RunAsync(client).ConfigureAwait(false);
                    break;
                default:
                    await frames.CloseAsync($"unknown role {hello.Role}").ConfigureAwait(false);
                    break;
            }
        }
        catch (OperationCanceledException) when (opening.IsCancellationRequested)
        {
            if (!admitted)
            {
                ConnectionMetrics.PeerRejected("timeout");
            }

            Refused(remote, address, "timeout", $"no TLS or handshake within {HandshakeTimeout.TotalSeconds:0} s");
        }
        catch (Exception ex) when (ex is PeerProtocolException or IOException or OperationCanceledException)
        {
            if (!admitted)
            {
                ConnectionMetrics.PeerRejected(ex);
            }

            Refused(remote, address, ex.GetType().Name, ex.Message);
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static ClusterEnvelope OversizedClientFrame(long length, int cap) => new()
    {
        Refused = new Refused { Reason = $"a frame of {length} bytes is over the scheduler's cap of {cap} bytes on a client's frame (the larger of 16 MiB and --max-file-size, plus 1 MiB)" },
    };

    /// <summary>A client's token: empty, or 32 lowercase hex characters (128 bits it made); anything else is refused in the
    /// handshake, since the token is the only proof that a client may take over another connection's work.</summary>
    private static string CheckedToken(PeerHello hello)
    {
        var token = hello.ClientToken;
        if (token.Length != 0 && !ClientRegistry.IsValidToken(token))
        {
            throw new PeerProtocolException(
                $"the client token has {token.Length} characters, not 32 lowercase hexadecimal ones; a client makes its token from 16 random bytes (upgrade FuncExec on the client)");
        }

        return token;
    }

    private void ClientJoined(string client, string remote, string address)
    {
        var admission = _server.SessionLog.Admit($"{address} client connected");
        if (!admission.Write)
        {
            return;
        }

        if (admission.Suppressed == 0)
        {
            ServerLog.ClientJoined(_logger, client, remote);
        }
        else
        {
            ServerLog.ClientJoinedRepeatedly(_logger, client, remote, admission.Suppressed, address, (int)Math.Round(admission.Since.TotalSeconds));
        }
    }

    private void Refused(string remote, string address, string kind, string reason)
    {
        // Keyed by address, not port: each connection of a flood comes from a new port. And by the
        // kind of refusal, so a flood of one kind does not hide a different problem of the same peer
        // (a wrong secret, then a plain-text peer where TLS is required).
        var admission = _server.RefusalLog.Admit($"{address} {kind}");
        if (!admission.Write)
        {
            return;
        }

        if (admission.Suppressed == 0)
        {
            ServerLog.Refused(_logger, remote, reason);
        }
        else
        {
            ServerLog.RefusedRepeatedly(_logger, remote, reason, admission.Suppressed, address, (int)Math.Round(admission.Since.TotalSeconds));
        }
    }
}
