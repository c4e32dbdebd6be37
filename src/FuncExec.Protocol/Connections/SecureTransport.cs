using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using FuncExec.Protocol.V1;
using Google.Protobuf;

namespace FuncExec.Protocol.Connections;

/// <summary>
/// Puts TLS on a fresh connection, or checks that both sides agree there is none, before the
/// <see cref="Handshake"/>.
/// </summary>
/// <remarks>
/// <para>
/// The scheduler tells a TLS peer from a plain one by the first bytes it sends: a TLS connection
/// opens with a handshake record, <c>16 03 0x</c> (x from 1 to 4), while a FuncExec connection
/// opens with a Hello frame, whose little-endian length prefix can begin with <c>0x16</c> (a Hello
/// frame of 278 bytes) but never with those three bytes (that would be a frame over the 64 KiB
/// handshake cap). So three bytes are peeked, not one.
/// </para>
/// <para>
/// On any failure the stream passed in is disposed. Neither method has a timeout of its own: pass a
/// token that carries the connection's handshake deadline, or a peer that sends nothing holds the
/// connection open.
/// </para>
/// </remarks>
internal static class SecureTransport
{
    /// <summary>What a plain-text peer of a TLS scheduler is told, in a plain <see cref="Refused"/> frame.</summary>
    internal const string TlsRequiredReason = "this scheduler requires TLS; connect with --certfile";

    private const int PeekSize = 3;

    /// <summary>
    /// The scheduler's side: returns the stream to run the handshake over, which is
    /// <paramref name="raw"/> (with the peeked bytes replayed) or a server <see cref="SslStream"/>
    /// over it when <paramref name="security"/> uses TLS.
    /// </summary>
    /// <remarks>The peer is treated as remote: when TLS is on, it may use plain text only if
    /// <see cref="TransportSecurity.PlainText"/> is <see cref="PlainTextPeers.Any"/>.</remarks>
    /// <exception cref="TlsMismatchException">
    /// The peer's use of TLS differs from ours. A plain-text peer of a TLS scheduler is first sent a
    /// plain <see cref="Refused"/> frame, so it can tell its user what to do.
    /// </exception>
    /// <exception cref="PeerProtocolException">The peer closed the connection early, or the TLS handshake failed.</exception>
    public static Task<Stream> AcceptAsync(Stream raw, TransportSecurity security, CancellationToken cancellationToken = default) =>
        AcceptAsync(raw, security, peer: null, cancellationToken);

    /// <summary>
    /// The scheduler's side, for a peer at <paramref name="peer"/>: as
    /// <see cref="AcceptAsync(Stream, TransportSecurity, CancellationToken)"/>, but a peer at a
    /// loopback address may use plain text when <see cref="TransportSecurity.PlainText"/> is
    /// <see cref="PlainTextPeers.Loopback"/>.
    /// </summary>
    /// <param name="raw">The accepted connection.</param>
    /// <param name="security">The secret and TLS settings.</param>
    /// <param name="peer">Where the peer connects from; null when unknown (then it counts as remote).</param>
    /// <param name="cancellationToken">Cancels the TLS handshake.</param>
    /// <exception cref="TlsMismatchException">The peer's use of TLS differs from what it must use.</exception>
    /// <exception cref="PeerProtocolException">The peer closed the connection early, or the TLS handshake failed.</exception>
    public static async Task<Stream> AcceptAsync(Stream raw, TransportSecurity security, EndPoint? peer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(security);
        try
        {
            var prefix = new byte[PeekSize];
            var got = await raw.ReadAtLeastAsync(prefix, PeekSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (got < PeekSize)
            {
                throw new PeerProtocolException(got == 0
                    ? "the peer closed the connection before the handshake"
                    : "the peer closed the connection inside its first frame");
            }

            var stream = new PrefixedStream(raw, prefix);
            var peerUsesTls = prefix[0] == 0x16 && prefix[1] == 0x03 && prefix[2] is >= 1 and <= 4;
            if (security.UsesTls)
            {
                if (!peerUsesTls && !MayUsePlainText(security.PlainText, peer))
                {
                    await RefusePlainPeerAsync(stream, cancellationToken).ConfigureAwait(false);
                    throw new TlsMismatchException(
                        "a plain-text peer connected to this TLS scheduler and was told to connect with --certfile");
                }

                return peerUsesTls
                    ? await AuthenticateAsServerAsync(stream, security, cancellationToken).ConfigureAwait(false)
                    : stream;
            }

            if (peerUsesTls)
            {
                throw new TlsMismatchException(
                    "a TLS client connected to a plain-text port; start the scheduler with --certfile/--keyfile or connect without TLS");
            }

            return stream;
        }
        catch
        {
            await raw.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// A node's or client's side: returns a client <see cref="SslStream"/> over <paramref name="raw"/>
    /// when <paramref name="security"/> pins a certificate or the scheduler is not at a loopback
    /// address, else <paramref name="raw"/> itself.
    /// </summary>
    /// <param name="raw">The connected stream.</param>
    /// <param name="host">The scheduler's host name or address, for SNI and for messages.</param>
    /// <param name="security">The secret and TLS settings.</param>
    /// <param name="cancellationToken">Cancels the TLS handshake.</param>
    /// <remarks>
    /// <para>
    /// Where the scheduler is comes from the socket under <paramref name="raw"/> when it is a
    /// <see cref="NetworkStream"/>; any other stream is taken as local (plain text unless a
    /// certificate is pinned).
    /// </para>
    /// <para>
    /// With <see cref="TransportSecurity.CertFile"/> the scheduler's certificate is trusted only if
    /// it is, or chains to, a certificate in that file. Without it any certificate is accepted for
    /// the TLS layer: the handshake's proofs cover the certificate this side saw, so a scheduler
    /// that does not know the secret, or a relay with its own certificate, is refused there. The
    /// host name is never checked against the certificate: schedulers are often reached by address.
    /// </para>
    /// </remarks>
    /// <exception cref="TlsMismatchException">The scheduler does not speak TLS.</exception>
    /// <exception cref="AuthenticationFailedException">The scheduler's certificate is not the trusted one.</exception>
    /// <exception cref="PeerProtocolException">The TLS handshake failed otherwise.</exception>
    public static Task<Stream> ConnectAsync(Stream raw, string host, TransportSecurity security, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(security);
        return ConnectAsync(raw, host, security, useTls: security.UsesTls || !IsLoopback(raw), cancellationToken);
    }

    /// <summary><see cref="ConnectAsync(Stream, string, TransportSecurity, CancellationToken)"/> told whether to use TLS, for tests on loopback.</summary>
    internal static async Task<Stream> ConnectAsync(Stream raw, string host, TransportSecurity security, bool useTls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(security);
        if (!useTls)
        {
            return raw;
        }

        ServerCertificateCheck check;
        try
        {
            check = new ServerCertificateCheck(security.UsesTls ? CertificateCache.GetTrusted(security) : null);
        }
        catch
        {
            await raw.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var ssl = new SslStream(raw, leaveInnerStreamOpen: false);
        try
        {
            var options = new SslClientAuthenticationOptions
            {
                TargetHost = host,
                RemoteCertificateValidationCallback = check.Validate,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            };
            if (security.KeyFile is not null)
            {
                // With the key as well, this side proves it holds the cluster's certificate (mutual TLS).
                options.ClientCertificates = [CertificateCache.GetClientCertificate(security)];
            }

            await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException && !cancellationToken.IsCancellationRequested)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            if (check.Rejected is { } presented)
            {
                throw new AuthenticationFailedException(
                    $"the scheduler at {host} presented the certificate {presented}, which is neither a certificate in "
                    + $"{security.CertFile} nor signed by one: give this side the scheduler's certificate as --certfile",
                    ex);
            }

            if (check.Called)
            {
                throw new PeerProtocolException($"the TLS handshake with the scheduler at {host} failed after its certificate was accepted: {ex.Message}", ex);
            }

            // The server never got as far as a certificate: it closed, reset, or answered in plain text.
            throw new TlsMismatchException(
                $"the scheduler at {host} does not speak TLS (it answered without a TLS handshake); "
                + (security.UsesTls
                    ? "connect without --certfile, or start the scheduler with --certfile/--keyfile"
                    : "it is an older FuncExec, or not a FuncExec scheduler: run the same FuncExec version on both sides"),
                ex);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static bool MayUsePlainText(PlainTextPeers policy, EndPoint? peer) => policy switch
    {
        PlainTextPeers.Any => true,
        PlainTextPeers.Loopback => peer is IPEndPoint { Address: var address } && IsLoopback(address),
        _ => false,
    };

    private static bool IsLoopback(Stream raw) =>
        raw is not NetworkStream { Socket.RemoteEndPoint: IPEndPoint { Address: var address } } || IsLoopback(address);

    private static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private static async Task<Stream> AuthenticateAsServerAsync(Stream stream, TransportSecurity security, CancellationToken cancellationToken)
    {
        var context = CertificateCache.GetServerContext(security);
        var trusted = CertificateCache.GetTrusted(security);
        string? rejected = null;
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            var options = new SslServerAuthenticationOptions
            {
                ServerCertificateContext = context,
                // Asked for, not required: a peer with only --certfile proves itself with the secret;
                // one with --keyfile too must present the cluster's certificate and nothing else.
                ClientCertificateRequired = true,
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    if (certificate is null)
                    {
                        return true;
                    }

                    var presented = certificate.GetRawCertData();
                    foreach (var candidate in trusted)
                    {
                        if (candidate.RawDataMemory.Span.SequenceEqual(presented))
                        {
                            return true;
                        }
                    }

                    rejected = certificate.Subject;
                    return false;
                },
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            };
            await ssl.AuthenticateAsServerAsync(options, cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException && !cancellationToken.IsCancellationRequested)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            if (rejected is not null)
            {
                throw new AuthenticationFailedException(
                    $"the peer presented the client certificate '{rejected}', which is not this scheduler's certificate ({security.CertFile})", ex);
            }

            throw new PeerProtocolException(
                "the TLS handshake with the peer failed; if it is a FuncExec node or client, check that its --certfile "
                + $"is this scheduler's certificate ({ex.Message})",
                ex);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task RefusePlainPeerAsync(Stream stream, CancellationToken cancellationToken)
    {
        try
        {
            var refused = new ClusterEnvelope { Refused = new Refused { Reason = TlsRequiredReason } };
            await FrameWriter.WriteAsync(stream, refused, cancellationToken).ConfigureAwait(false);

            // Read the peer's Hello to its end before the caller closes: closing a socket with
            // unread input sends a reset, which can destroy the Refused frame before the peer reads it.
            await FrameReader.ReadAsync(stream, ClusterEnvelope.Parser, Handshake.MaxFrameSize, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidProtocolBufferException)
        {
            // Best effort: the peer is being refused either way, and the caller reports that.
        }
    }
}
