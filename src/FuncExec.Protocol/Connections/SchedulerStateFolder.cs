using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace FuncExec.Protocol.Connections;

/// <summary>
/// Where a scheduler keeps the secret and TLS certificate it generated, so that it reuses them
/// when restarted and its user's local nodes and clients find the secret by themselves.
/// </summary>
/// <remarks>
/// <para>The layout, one folder per scheduler port, readable by its user only:</para>
/// <code>
/// HOME/                        $FUNCEXEC_HOME, else ~/.funcexec (created 0700)
///   scheduler-PORT/            0700
///     secret                   0600: 32 random bytes, base64url; only when no secret was given
///     tls/cert.pem, tls/key.pem   0600: a self-signed ECDSA P-256 certificate and its key
/// </code>
/// <para>
/// Each file is written under a temporary name and moved into place without replacing, so
/// schedulers that start at once on one port (in different network namespaces, say) end up
/// sharing one secret and one certificate instead of overwriting each other's.
/// </para>
/// </remarks>
internal static class SchedulerStateFolder
{
    /// <summary>The environment variable that moves the home folder.</summary>
    public const string HomeVariable = "FUNCEXEC_HOME";

    /// <summary>The largest secret file read; a secret is a line, not a document.</summary>
    private const int MaxSecretFileSize = 64 * 1024;

    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode PrivateFolder = Private | UnixFileMode.UserExecute;

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary><c>$FUNCEXEC_HOME</c>, else <c>~/.funcexec</c>.</summary>
    public static string DefaultHome =>
        Environment.GetEnvironmentVariable(HomeVariable) is { Length: > 0 } home
            ? Path.GetFullPath(home)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".funcexec");

    /// <summary>The folder of the scheduler on <paramref name="port"/>.</summary>
    public static string FolderOf(string home, int port) =>
        Path.Combine(home, "scheduler-" + port.ToString(CultureInfo.InvariantCulture));

    /// <summary>The file that holds the generated secret of the scheduler on <paramref name="port"/>.</summary>
    public static string SecretPathOf(string home, int port) => Path.Combine(FolderOf(home, port), "secret");

    /// <summary>Reads the secret the scheduler on <paramref name="port"/> generated, or creates it.</summary>
    /// <returns>The secret, and whether it was created now.</returns>
    /// <exception cref="IOException">The folder or file cannot be written or read; the message names it.</exception>
    /// <exception cref="InvalidDataException">The existing file is readable by others or empty; the message names it.</exception>
    public static (string Secret, bool Created) LoadOrCreateSecret(string home, int port)
    {
        ArgumentNullException.ThrowIfNull(home);
        var folder = CreateFolder(home, port);
        var path = Path.Combine(folder, "secret");
        var created = false;
        if (!File.Exists(path))
        {
            var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
            created = Publish(folder, path, temp => WritePrivate(temp, secret + "\n"));
        }

        return (ReadSecretFile(path), created);
    }

    /// <summary>Reads the certificate the scheduler on <paramref name="port"/> generated, or creates it.</summary>
    /// <returns>The PEM certificate and key files, and whether they were created now.</returns>
    /// <exception cref="IOException">The folder or files cannot be written; the message names it.</exception>
    public static (string CertFile, string KeyFile, bool Created) LoadOrCreateCertificate(string home, int port, string name)
    {
        ArgumentNullException.ThrowIfNull(home);
        ArgumentNullException.ThrowIfNull(name);
        var folder = CreateFolder(home, port);
        var tls = Path.Combine(folder, "tls");
        var created = false;
        if (!Directory.Exists(tls))
        {
            created = Publish(folder, tls, temp =>
            {
                CreatePrivateFolder(temp);
                var (certificate, key) = CreateCertificate(name);
                WritePrivate(Path.Combine(temp, "cert.pem"), certificate);
                WritePrivate(Path.Combine(temp, "key.pem"), key);
            });
        }

        return (Path.Combine(tls, "cert.pem"), Path.Combine(tls, "key.pem"), created);
    }

    /// <summary>
    /// The secret a scheduler on this machine at <paramref name="port"/> generated, for this user's
    /// local nodes and clients; null when there is no such file.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is readable by others or empty; the message names it.</exception>
    /// <exception cref="IOException">The file cannot be read; the message names it.</exception>
    public static string? TryReadSecret(string home, int port)
    {
        var path = SecretPathOf(home, port);
        return File.Exists(path) ? ReadSecretFile(path) : null;
    }

    /// <summary>
    /// Reads a secret file (<c>--secret-file</c>): its content without surrounding blanks. Like ssh
    /// with a private key, it refuses a file that other users may read or write.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no such file; the message names it.</exception>
    /// <exception cref="InvalidDataException">The file is readable by others, empty or too big; the message names it and the fix.</exception>
    /// <exception cref="IOException">The file cannot be read; the message names it.</exception>
    public static string ReadSecretFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"the secret file {path} does not exist", path);
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & GroupOrOther) is not 0 and var open)
        {
            throw new InvalidDataException(
                $"the secret file {path} is open to other users ({Describe(open)}); make it private with: chmod 600 {path}");
        }

        if (new FileInfo(path).Length > MaxSecretFileSize)
        {
            throw new InvalidDataException($"the secret file {path} holds more than {MaxSecretFileSize / 1024} KiB; a secret is one line");
        }

        string secret;
        try
        {
            secret = File.ReadAllText(path, Encoding.UTF8).Trim();
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new IOException($"cannot read the secret file {path}: {ex.Message}", ex);
        }

        return secret.Length > 0 ? secret : throw new InvalidDataException($"the secret file {path} is empty");
    }

    private static string Describe(UnixFileMode open) =>
        ((open & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute)) != 0, (open & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)) != 0) switch
        {
            (true, true) => "its group and others have access",
            (true, false) => "its group has access",
            _ => "others have access",
        };

    /// <summary>Creates the state folder of the scheduler on <paramref name="port"/> (and its home) readable only by this user,
    /// before anything is put in it (the journal, components), so it never exists with a wider mode.</summary>
    /// <returns>The folder.</returns>
    public static string EnsureFolder(string home, int port) => CreateFolder(home, port);

    private static string CreateFolder(string home, int port)
    {
        CreatePrivateFolder(home);
        var folder = FolderOf(home, port);
        CreatePrivateFolder(folder);
        return folder;
    }

    private static void CreatePrivateFolder(string path)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(path);
            }
            else
            {
                // Sets the mode of folders it creates only; an existing folder is left as it is.
                Directory.CreateDirectory(path, PrivateFolder);
            }
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new IOException($"cannot create the folder {path}: {ex.Message}", ex);
        }
    }

    private static void WritePrivate(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = Private;
        }

        using var stream = new FileStream(path, options);
        stream.Write(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Makes <paramref name="target"/> at a temporary name and moves it into place unless another process got there first.</summary>
    /// <returns>True when this call made it.</returns>
    private static bool Publish(string folder, string target, Action<string> make)
    {
        var temp = Path.Combine(folder, "." + Path.GetFileName(target) + "-" + Guid.NewGuid().ToString("N"));
        try
        {
            make(temp);
            if (Directory.Exists(temp))
            {
                Directory.Move(temp, target);
            }
            else
            {
                // Without overwrite, the move links the new name and fails if it exists: never a half-written file, never a replaced one.
                File.Move(temp, target, overwrite: false);
            }

            return true;
        }
        catch (IOException) when (Path.Exists(target))
        {
            return false; // Another scheduler on this port made it at the same moment; use theirs.
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new IOException($"cannot write {target}: {ex.Message}", ex);
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
            else if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    private static (string Certificate, string Key) CreateCertificate(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName("funcexec scheduler " + name);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        var now = DateTimeOffset.UtcNow;
        // Long-lived on purpose: peers that pin it compare bytes, and the others trust it through the
        // secret, so expiry would only break clusters without making anything safer.
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(20));
        return (certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }
}
