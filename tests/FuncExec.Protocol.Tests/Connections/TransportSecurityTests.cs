using FuncExec.Protocol.Connections;
using FuncExec.Protocol.Tests.Support;

namespace FuncExec.Protocol.Tests.Connections;

public sealed class TransportSecurityTests(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    [Theory]
    [InlineData(null, 0)]
    [InlineData("", 0)]
    [InlineData("héllo", 6)]
    public void SecretBytes_Secret_IsItsUtf8(string? secret, int length)
    {
        Assert.Equal(length, new TransportSecurity(secret).SecretBytes.Length);
    }

    [Fact]
    public void Default_NoSecretNoTls()
    {
        Assert.Empty(TransportSecurity.Default.SecretBytes);
        Assert.False(TransportSecurity.Default.UsesTls);
        Assert.True(new TransportSecurity(CertFile: "a.pem").UsesTls);
    }

    [Fact]
    public void ToString_WithSecret_HidesIt()
    {
        var text = new TransportSecurity("hunter2", "cert.pem").ToString();

        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.Contains("cert.pem", text, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadCertificate_CertAndKeyFiles_HasPrivateKey()
    {
        using var certificate = new TransportSecurity(null, certificates.CertFile, certificates.KeyFile).LoadCertificate();

        Assert.True(certificate.HasPrivateKey);
        Assert.Equal("CN=funcexec-scheduler", certificate.Subject);
    }

    [Fact]
    public void LoadCertificate_KeyInCertFile_Loads()
    {
        var combined = Path.Combine(certificates.Folder, "combined.pem");
        File.WriteAllText(combined, File.ReadAllText(certificates.CertFile) + "\n" + File.ReadAllText(certificates.KeyFile));

        using var certificate = new TransportSecurity(CertFile: combined).LoadCertificate();

        Assert.True(certificate.HasPrivateKey);
    }

    [Fact]
    public void LoadCertificate_MissingCertFile_NamesIt()
    {
        var missing = Path.Combine(certificates.Folder, "missing.crt");

        var error = Assert.Throws<FileNotFoundException>(() => new TransportSecurity(CertFile: missing, KeyFile: certificates.KeyFile).LoadCertificate());

        Assert.Equal($"the --certfile file {missing} does not exist", error.Message);
    }

    [Fact]
    public void LoadCertificate_MissingKeyFile_NamesIt()
    {
        var missing = Path.Combine(certificates.Folder, "missing.key");

        var error = Assert.Throws<FileNotFoundException>(() => new TransportSecurity(CertFile: certificates.CertFile, KeyFile: missing).LoadCertificate());

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadCertificate_CertFileNotPem_NamesIt()
    {
        var bogus = Path.Combine(certificates.Folder, "bogus.crt");
        File.WriteAllText(bogus, "not a certificate");

        var error = Assert.Throws<InvalidDataException>(() => new TransportSecurity(CertFile: bogus, KeyFile: certificates.KeyFile).LoadCertificate());

        Assert.Contains(bogus, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadCertificate_KeyOfAnotherCertificate_NamesTheKeyFile()
    {
        var error = Assert.Throws<InvalidDataException>(
            () => new TransportSecurity(CertFile: certificates.CertFile, KeyFile: certificates.OtherKeyFile).LoadCertificate());

        Assert.Contains(certificates.OtherKeyFile, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadCertificate_NoTls_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => TransportSecurity.Default.LoadCertificate());
    }

    [Fact]
    public void LoadTrustedCertificates_CertFile_LoadsIt()
    {
        var trusted = new TransportSecurity(CertFile: certificates.CertFile).LoadTrustedCertificates();

        Assert.Equal("CN=funcexec-scheduler", Assert.Single(trusted).Subject);
    }
}
