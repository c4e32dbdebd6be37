using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace FuncExec.Protocol.Connections;

/// <summary>
/// Decides whether a node or client trusts the scheduler's certificate, and remembers what it
/// decided so a failed TLS handshake can be explained.
/// </summary>
internal sealed class ServerCertificateCheck
{
    private readonly X509Certificate2Collection? _trusted;

    /// <param name="trusted">The pinned certificates (<c>--certfile</c>); null to accept any, which
    /// the handshake's channel binding then ties to the secret.</param>
    public ServerCertificateCheck(X509Certificate2Collection? trusted)
    {
        _trusted = trusted;
    }

    /// <summary>True once the scheduler presented a certificate at all.</summary>
    public bool Called { get; private set; }

    /// <summary>The certificate that was refused, described for a message; null if none was.</summary>
    public string? Rejected { get; private set; }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        Called = true;
        if (certificate is null)
        {
            Rejected = "(none)";
            return false;
        }

        if (_trusted is not { } trusted)
        {
            return true;
        }

        // The system's verdict (errors) is ignored on purpose: a self-signed scheduler certificate
        // never chains to a system root, and trust here is exactly what --certfile names.
        var presented = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (IsTrusted(trusted, presented, chain))
        {
            return true;
        }

        Rejected = $"'{presented.Subject}' (SHA-1 {presented.Thumbprint})";
        return false;
    }

    private static bool IsTrusted(X509Certificate2Collection pinned, X509Certificate2 presented, X509Chain? presentedChain)
    {
        foreach (var trusted in pinned)
        {
            if (trusted.RawDataMemory.Span.SequenceEqual(presented.RawDataMemory.Span))
            {
                return true;
            }
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(pinned);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presentedChain is not null)
        {
            foreach (var element in presentedChain.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(presented);
    }
}
