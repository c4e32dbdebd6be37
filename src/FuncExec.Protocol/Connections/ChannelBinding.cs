using System.Net.Security;
using System.Security.Cryptography;

namespace FuncExec.Protocol.Connections;

/// <summary>
/// What ties the handshake's proofs to the TLS connection they travel on: the SHA-256 of the
/// scheduler's certificate (DER) as each side sees it, after RFC 5929's tls-server-end-point.
/// </summary>
/// <remarks>
/// A man in the middle who terminates TLS on each side presents the peer its own certificate and
/// sees the scheduler's, so the two sides compute different bindings and every proof he relays
/// fails, even though he never needs the secret to relay it. On a plain connection (loopback) the
/// binding is empty; a relay that turns TLS into plain text therefore fails the same way.
/// </remarks>
internal static class ChannelBinding
{
    /// <summary>The binding of <paramref name="stream"/>: empty unless it is TLS.</summary>
    /// <param name="stream">The stream the handshake runs over.</param>
    /// <param name="server">True on the scheduler, whose certificate is its own (local) one.</param>
    public static byte[] Of(Stream stream, bool server)
    {
        if (stream is not SslStream ssl)
        {
            return [];
        }

        var certificate = server ? ssl.LocalCertificate : ssl.RemoteCertificate;
        return certificate is null ? [] : SHA256.HashData(certificate.GetRawCertData());
    }
}
