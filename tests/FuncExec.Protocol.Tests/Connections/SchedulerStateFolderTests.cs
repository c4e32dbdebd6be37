using FuncExec.Protocol.Connections;

namespace FuncExec.Protocol.Tests.Connections;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SchedulerStateFolderTests : IDisposable
{
    private const UnixFileMode GroupOrOther = (UnixFileMode)0b000_111_111;

    private readonly string _home = Path.Combine(Directory.CreateTempSubdirectory("funcexec-home-").FullName, "home");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_home)!, recursive: true);

    [Fact]
    public void LoadOrCreateSecret_NoFolder_CreatesARandomSecretReadableByItsUserOnly()
    {
        var (secret, created) = SchedulerStateFolder.LoadOrCreateSecret(_home, 9700);

        var path = SchedulerStateFolder.SecretPathOf(_home, 9700);
        Assert.True(created);
        Assert.Equal(43, secret.Length); // 32 bytes, base64url without padding
        Assert.Equal(secret, File.ReadAllText(path).Trim());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void LoadOrCreateSecret_Again_ReturnsTheSameSecret()
    {
        var (first, _) = SchedulerStateFolder.LoadOrCreateSecret(_home, 9700);

        var (second, created) = SchedulerStateFolder.LoadOrCreateSecret(_home, 9700);

        Assert.False(created);
        Assert.Equal(first, second);
        Assert.NotEqual(first, SchedulerStateFolder.LoadOrCreateSecret(_home, 9701).Secret);
    }

    [Fact]
    public void LoadOrCreateCertificate_Again_ReturnsTheSameFiles()
    {
        var (certFile, keyFile, created) = SchedulerStateFolder.LoadOrCreateCertificate(_home, 9700, "sched");
        var pem = File.ReadAllText(certFile);

        var again = SchedulerStateFolder.LoadOrCreateCertificate(_home, 9700, "sched");

        Assert.True(created);
        Assert.False(again.Created);
        Assert.Equal(pem, File.ReadAllText(again.CertFile));
        Assert.Equal(0, (int)(File.GetUnixFileMode(keyFile) & GroupOrOther));
        using var certificate = new TransportSecurity("s", certFile, keyFile).LoadCertificate();
        Assert.True(certificate.HasPrivateKey);
    }

    [Fact]
    public void ReadSecretFile_ReadableByOthers_RefusedSayingHowToFixIt()
    {
        Directory.CreateDirectory(_home);
        var path = Path.Combine(_home, "secret");
        File.WriteAllText(path, "s3cret\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var error = Assert.Throws<InvalidDataException>(() => SchedulerStateFolder.ReadSecretFile(path));

        Assert.Contains("others have access", error.Message, StringComparison.Ordinal);
        Assert.Contains($"chmod 600 {path}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadSecretFile_PrivateWithANewline_ReturnsTheSecretAlone()
    {
        Directory.CreateDirectory(_home);
        var path = Path.Combine(_home, "secret");
        File.WriteAllText(path, "s3cret\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.Equal("s3cret", SchedulerStateFolder.ReadSecretFile(path));
    }

    [Fact]
    public void ReadSecretFile_Missing_ThrowsNamingIt()
    {
        var path = Path.Combine(_home, "nope");

        var error = Assert.Throws<FileNotFoundException>(() => SchedulerStateFolder.ReadSecretFile(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }
}
