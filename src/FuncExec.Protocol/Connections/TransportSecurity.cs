using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

using FuncExec.Protocol.Connections;

namespace FuncExec;

/// <summary>
/// How a connection is secured: the shared secret both sides prove in the handshake, and
/// optionally TLS.
/// </summary>
/// <param name="Secret">
/// The shared secret (<c>--secret</c>). Null or empty means "no secret": the handshake still runs
/// and still checks the protocol version, and both sides must then have no secret.
/// </param>
/// <param name="CertFile">
/// A PEM certificate (<c>--certfile</c>). On the scheduler it is the certificate it presents
/// (the file may also hold the chain); on nodes and clients it is the certificate they trust:
/// the scheduler's own certificate (the usual, self-signed case) or the CA that signed it.
/// Setting it turns TLS on.
/// </param>
/// <param name="KeyFile">
/// The scheduler's PEM private key (<c>--keyfile</c>). Null when the key is in
/// <paramref name="CertFile"/>. Nodes and clients do not need it.
/// </param>
/// <remarks>
/// <para>
/// <see cref="Default"/> is no secret and no pinned certificate. A node or client uses TLS when it
/// has a <paramref name="CertFile"/> or the scheduler is not at a loopback address; without a
/// <paramref name="CertFile"/> it accepts whatever certificate the scheduler presents, because the
/// handshake's proofs cover that certificate (see <see cref="Handshake"/>): only a scheduler that
/// knows the secret can answer them over that TLS connection.
/// </para>
/// <para><see cref="ToString"/> never prints the secret.</para>
/// </remarks>
public sealed record TransportSecurity(string? Secret = null, string? CertFile = null, string? KeyFile = null)
{
    /// <summary>No secret and no TLS.</summary>
    public static TransportSecurity Default { get; } = new();

    /// <summary>The secret as UTF-8 bytes, the HMAC key; empty when there is no secret.</summary>
    /// <remarks>A new array on every call, so callers may clear it.</remarks>
#pragma warning disable CA1819 // A fresh copy each call: the caller owns it and may zero it.
    internal byte[] SecretBytes => string.IsNullOrEmpty(Secret) ? [] : Encoding.UTF8.GetBytes(Secret);
#pragma warning restore CA1819

    /// <summary>True when <see cref="CertFile"/> is set: the scheduler serves TLS; a node or client pins this certificate.</summary>
    internal bool UsesTls => !string.IsNullOrEmpty(CertFile);

    /// <summary>On a scheduler that serves TLS: which peers may still connect in plain text.</summary>
    /// <remarks>Default: <see cref="PlainTextPeers.None"/>. Ignored by nodes and clients.</remarks>
    internal PlainTextPeers PlainText { get; init; }

    /// <summary>
    /// Loads the scheduler's certificate with its private key from <see cref="CertFile"/> and
    /// <see cref="KeyFile"/> (or from <see cref="CertFile"/> alone when <see cref="KeyFile"/> is null).
    /// Call it at startup to fail fast on a bad file.
    /// </summary>
    /// <exception cref="InvalidOperationException">TLS is not configured.</exception>
    /// <exception cref="FileNotFoundException">A file is missing; the message names it.</exception>
    /// <exception cref="InvalidDataException">A file does not hold what it should; the message names it.</exception>
    internal X509Certificate2 LoadCertificate()
    {
        var certFile = RequireCertFile();
        var keyFile = string.IsNullOrEmpty(KeyFile) ? null : KeyFile;
        if (keyFile is not null)
        {
            RequireFile(keyFile, "--keyfile");
        }

        // Parse the certificate alone first, so a bad certificate file is not blamed on the key.
        foreach (var certificate in LoadCertificates(certFile))
        {
            certificate.Dispose();
        }

        X509Certificate2 ephemeral;
        try
        {
            ephemeral = X509Certificate2.CreateFromPemFile(certFile, keyFile);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            // ArgumentException: a well-formed key that belongs to another certificate.
            var where = keyFile is null ? $"{certFile} (no --keyfile, so the key must be in it)" : keyFile;
            throw new InvalidDataException(
                $"could not load the private key for {certFile} from {where}: it holds no PEM private key, "
                + $"or not the one that matches the certificate ({ex.Message})",
                ex);
        }

        // A key imported from PEM is ephemeral, and Windows' TLS stack cannot use an ephemeral key;
        // a round trip through PKCS#12 gives a key every platform's SslStream accepts. It costs a
        // few milliseconds once, so it is done everywhere instead of per platform.
        using (ephemeral)
        {
            return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
        }
    }

    /// <summary>
    /// Loads every certificate in <see cref="CertFile"/>: the certificates a node or client trusts,
    /// or the scheduler's certificate followed by its chain.
    /// </summary>
    /// <exception cref="InvalidOperationException">TLS is not configured.</exception>
    /// <exception cref="FileNotFoundException">The file is missing; the message names it.</exception>
    /// <exception cref="InvalidDataException">The file holds no PEM certificate; the message names it.</exception>
    internal X509Certificate2Collection LoadTrustedCertificates() => LoadCertificates(RequireCertFile());

    /// <summary>Prints the settings with the secret hidden, so they can be logged.</summary>
    public override string ToString() =>
        $"TransportSecurity {{ Secret = {(string.IsNullOrEmpty(Secret) ? "(none)" : "***")}, CertFile = {CertFile}, KeyFile = {KeyFile}, PlainText = {PlainText} }}";

    private string RequireCertFile()
    {
        if (string.IsNullOrEmpty(CertFile))
        {
            throw new InvalidOperationException("TLS is not configured: no --certfile was given");
        }

        RequireFile(CertFile, "--certfile");
        return CertFile;
    }

    private static void RequireFile(string path, string flag)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"the {flag} file {path} does not exist", path);
        }
    }

    private static X509Certificate2Collection LoadCertificates(string certFile)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(certFile);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidDataException($"{certFile} is not a valid PEM certificate file ({ex.Message})", ex);
        }

        if (certificates.Count == 0)
        {
            throw new InvalidDataException($"{certFile} holds no PEM certificate (expected a -----BEGIN CERTIFICATE----- block)");
        }

        return certificates;
    }
}
