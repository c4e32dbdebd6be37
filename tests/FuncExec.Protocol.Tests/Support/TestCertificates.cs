using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FuncExec.Protocol.Tests.Support;

/// <summary>Self-signed certificate and key PEM files in a temporary folder, made fresh for a test class.</summary>
public sealed class TestCertificates : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("funcexec-certs-").FullName;

    public TestCertificates()
    {
        (CertFile, KeyFile) = Create("scheduler");
        (OtherCertFile, OtherKeyFile) = Create("impostor");
    }

    /// <summary>The scheduler's certificate.</summary>
    public string CertFile { get; }

    /// <summary>The scheduler's private key.</summary>
    public string KeyFile { get; }

    /// <summary>An unrelated certificate with the same subject alternative names.</summary>
    public string OtherCertFile { get; }

    /// <summary>Its key.</summary>
    public string OtherKeyFile { get; }

    public string Folder => _folder;

    /// <summary>Writes a fresh self-signed certificate and its key as PEM files; returns their paths.</summary>
    public (string CertFile, string KeyFile) Create(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=funcexec-{name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
        var certFile = Path.Combine(_folder, $"{name}.crt");
        var keyFile = Path.Combine(_folder, $"{name}.key");
        File.WriteAllText(certFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certFile, keyFile);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
