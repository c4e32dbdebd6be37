using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;

namespace FuncExec.Protocol.Connections;

/// <summary>
/// Certificates loaded once per <see cref="TransportSecurity"/> instance instead of once per
/// connection (loading re-reads the files and round-trips the key through PKCS#12).
/// </summary>
/// <remarks>
/// Keyed by instance, not by value, so a settings record built anew (say after a certificate
/// rotation) loads the files again; entries go with their settings object.
/// </remarks>
internal static class CertificateCache
{
    private static readonly ConditionalWeakTable<TransportSecurity, SslStreamCertificateContext> ServerContexts = [];
    private static readonly ConditionalWeakTable<TransportSecurity, X509Certificate2Collection> Trusted = [];
    private static readonly ConditionalWeakTable<TransportSecurity, X509Certificate2> ClientCertificates = [];

    public static SslStreamCertificateContext GetServerContext(TransportSecurity security) =>
        ServerContexts.GetValue(security, static s =>
        {
            var certificate = s.LoadCertificate();
            var chain = s.LoadTrustedCertificates();
            // The file may carry the chain after the leaf; send it along, without the leaf itself.
            var intermediates = new X509Certificate2Collection();
            foreach (var candidate in chain)
            {
                if (candidate.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span))
                {
                    candidate.Dispose();
                }
                else
                {
                    intermediates.Add(candidate);
                }
            }

            // offline: the chain is whatever the files hold; never fetch intermediates from the network.
            return SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
        });

    public static X509Certificate2 GetClientCertificate(TransportSecurity security) =>
        ClientCertificates.GetValue(security, static s => s.LoadCertificate());

    public static X509Certificate2Collection GetTrusted(TransportSecurity security) =>
        Trusted.GetValue(security, static s => s.LoadTrustedCertificates());
}
