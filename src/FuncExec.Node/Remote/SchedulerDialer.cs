using System.Net;
using System.Net.Sockets;
using FuncExec.Protocol.Connections;
using FuncExec.Protocol.V1;
using Microsoft.Extensions.Logging;

namespace FuncExec.Node.Remote;

/// <summary>Opens an authenticated connection to a scheduler: TCP, then TLS beyond loopback (or with a pinned certificate), then the handshake.</summary>
internal static class SchedulerDialer
{
    /// <summary>Connects (from <paramref name="localAddress"/> when given), or fails within <paramref name="timeout"/> naming the address.
    /// A client that reattaches passes its <paramref name="identity"/>, which its Hello carries.</summary>
    /// <remarks>
    /// Without a secret in <paramref name="security"/>, a scheduler on this machine (at a loopback
    /// address or at one of this machine's own) is asked with the secret it generated for this
    /// user, read from <see cref="SchedulerStateFolder"/> under <c>$FUNCEXEC_HOME</c> (else
    /// <c>~/.funcexec</c>) by its port.
    /// </remarks>
    /// <exception cref="SchedulerUnreachableException">Nothing listens there, or it did not answer in time.</exception>
    /// <exception cref="AuthenticationFailedException">It refused our secret, or we have none, or the local secret file is open to others; the message says what to do.</exception>
    /// <exception cref="PeerProtocolException">It answered but refused us (TLS, version).</exception>
    public static async Task<(FrameConnection Connection, HandshakeResult Welcome)> ConnectAsync(
        SchedulerAddress address,
        PeerRole role,
        string name,
        TransportSecurity security,
        TimeSpan timeout,
        ILogger logger,
        string? localAddress = null,
        ClientIdentity? identity = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        // Bound before the connect's errors are caught: a bad local address fails here, not as an unreachable scheduler.
        var socket = NewSocket(localAddress);
        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connectTimeout.CancelAfter(timeout);
            try
            {
                socket = await ConnectSocketAsync(socket, address, localAddress, connectTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new SchedulerUnreachableException(address.ToString(), $"no answer within {timeout.TotalSeconds:0.#} s");
            }
            catch (SocketException ex)
            {
                throw new SchedulerUnreachableException(address.ToString(), Describe(ex), ex);
            }
        }

        Stream? stream = null;
        try
        {
            string? localSecretFile = null;
            if (string.IsNullOrEmpty(security.Secret) && IsThisMachine(socket))
            {
                var home = SchedulerStateFolder.DefaultHome;
                string? secret;
                try
                {
                    secret = SchedulerStateFolder.TryReadSecret(home, address.Port);
                }
                catch (Exception ex) when (ex is IOException or InvalidDataException)
                {
                    throw new AuthenticationFailedException($"cannot use the secret of the scheduler at {address} on this machine: {ex.Message}", ex);
                }

                if (secret is not null)
                {
                    security = security with { Secret = secret };
                    localSecretFile = SchedulerStateFolder.SecretPathOf(home, address.Port);
                }
            }

            // Read by the connection's own thread: a polled stream lets each frame wake that thread alone.
            stream = new PolledNetworkStream(socket);
            stream = await SecureTransport.ConnectAsync(stream, address.Host, security, cancellationToken).ConfigureAwait(false);
            HandshakeResult welcome;
            try
            {
                welcome = await Handshake.ConnectAsync(stream, role, name, security, timeout, identity, cancellationToken).ConfigureAwait(false);
            }
            catch (AuthenticationFailedException ex)
            {
                throw new AuthenticationFailedException(Advise(ex.Message, address, security, localSecretFile), ex);
            }

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

    private static Socket NewSocket(string? localAddress)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (localAddress is not null)
            {
                // The seed's --ip-addr: connect from this interface's address.
                socket.Bind(new IPEndPoint(IPAddress.Parse(localAddress), 0));
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return socket;
    }

    /// <summary>A connected socket to the first address <paramref name="address"/>'s host resolves to that answers: <paramref name="first"/>
    /// for the first, a new socket for each further try (one whose connect failed cannot connect again); connected without
    /// the runtime's socket poller, so that the frames that come later wake only the connection's reader (see
    /// <see cref="PolledNetworkStream"/>). Disposes the sockets it does not return.</summary>
    /// <exception cref="SocketException">No address answered (the last one's error), or the name is unknown.</exception>
    private static async Task<Socket> ConnectSocketAsync(Socket first, SchedulerAddress address, string? localAddress, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(address.Host, out var literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(address.Host, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            first.Dispose();
            throw;
        }

        SocketException? last = null;
        Socket? next = first;
        foreach (var candidate in addresses)
        {
            var socket = next ?? NewSocket(localAddress);
            next = null;
            try
            {
                await PolledNetworkStream.ConnectAsync(socket, candidate, address.Port, cancellationToken).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        next?.Dispose();
        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>The refusal, with what to do about it when the secret was not given explicitly.</summary>
    private static string Advise(string refusal, SchedulerAddress address, TransportSecurity security, string? localSecretFile)
    {
        const string how = "pass the scheduler's secret with --secret-file FILE, --secret or FUNCEXEC_SECRET";
        var where = $"on the scheduler's machine its user has it in {SchedulerStateFolder.SecretPathOf("~/.funcexec", address.Port)} (or under $FUNCEXEC_HOME), unless it was started with --secret";
        if (localSecretFile is not null)
        {
            return $"{refusal}; this side used the secret in {localSecretFile}, which the scheduler at {address} does not have "
                + $"(started with another --secret?): {how}";
        }

        return string.IsNullOrEmpty(security.Secret)
            ? $"the scheduler at {address} requires the cluster secret and this side has none: {how}; {where}"
            : refusal;
    }

    /// <summary>Whether the scheduler is on this machine: at a loopback address, or at one of ours (then the kernel connects from it too).</summary>
    private static bool IsThisMachine(Socket socket) =>
        socket.RemoteEndPoint is IPEndPoint remote
        && (IPAddress.IsLoopback(Unmap(remote.Address))
            || (socket.LocalEndPoint is IPEndPoint local && Unmap(local.Address).Equals(Unmap(remote.Address))));

    private static IPAddress Unmap(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static string Describe(SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostNotFound or SocketError.NoData => "unknown host",
        SocketError.NetworkUnreachable or SocketError.HostUnreachable => "no route to the host",
        SocketError.TimedOut => "timed out",
        _ => ex.Message,
    };
}
