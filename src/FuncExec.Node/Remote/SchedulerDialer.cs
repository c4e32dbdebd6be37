using System.Net.Sockets;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace FuncExec.Node.Remote;

/// <summary>Opens an authenticated connection to a scheduler: TCP, then TLS if configured, then the handshake.</summary>
public static class SchedulerDialer
{
    /// <summary>Connects (from <paramref name="localAddress"/> when given), or fails within <paramref name="timeout"/> naming the address.</summary>
    /// <exception cref="SchedulerUnreachableException">Nothing listens there, or it did not answer in time.</exception>
    /// <exception cref="ProtocolException">It answered but refused us (secret, TLS, version).</exception>
    public static async Task<(FrameConnection Connection, HandshakeResult Welcome)> ConnectAsync(
        SchedulerAddress address,
        PeerRole role,
        string name,
        TransportSecurity security,
        TimeSpan timeout,
        ILogger logger,
        string? localAddress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (localAddress is not null)
        {
            // The seed's --ip-addr: connect from this interface's address.
            socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Parse(localAddress), 0));
        }

        Stream? stream = null;
        try
        {
            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connectTimeout.CancelAfter(timeout);
                try
                {
                    await socket.ConnectAsync(address.Host, address.Port, connectTimeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new SchedulerUnreachableException(address, $"no answer within {timeout.TotalSeconds:0.#} s");
                }
                catch (SocketException ex)
                {
                    throw new SchedulerUnreachableException(address, Describe(ex), ex);
                }
            }

            stream = new NetworkStream(socket, ownsSocket: true);
            stream = await SecureTransport.ConnectAsync(stream, address.Host, security, cancellationToken).ConfigureAwait(false);
            var welcome = await Handshake.ConnectAsync(stream, role, name, security, timeout, cancellationToken).ConfigureAwait(false);
            return (new FrameConnection(stream, $"scheduler {address}", logger, dedicatedReader: true), welcome);
        }
        catch
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                socket.Dispose();
            }

            throw;
        }
    }

    private static string Describe(SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostNotFound or SocketError.NoData => "unknown host",
        SocketError.NetworkUnreachable or SocketError.HostUnreachable => "no route to the host",
        SocketError.TimedOut => "timed out",
        _ => ex.Message,
    };
}
