using System.Diagnostics;
using System.Globalization;

namespace FuncExec.IntegrationTests.Network;

/// <summary>
/// Real OpenSSH servers inside lab hosts, and an ssh client setup that trusts them, all in one temp
/// folder: nothing reads or writes ~/.ssh or /etc/ssh. Needs root and openssh-server (<c>./test.sh</c> installs it).
/// </summary>
/// <remarks>
/// One host key serves every server; the client's key is in their authorized_keys, a second key
/// (<see cref="WrongKey"/>) is not. <see cref="ClientConfig"/> is an ssh config file (<c>ssh -F</c>)
/// that accepts new host keys into the folder's own known_hosts. Lab hosts share the file system, so
/// a server in a lab host serves this machine's files, programs and users.
/// </remarks>
internal sealed class LabSsh : IDisposable
{
    /// <summary>The port every server listens on in its host (each host has ports of its own).</summary>
    public const int Port = 2222;

    private const string Sshd = "/usr/sbin/sshd";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private LabSsh(string directory)
    {
        Directory = directory;
    }

    /// <summary>The folder holding keys, configs and known_hosts.</summary>
    public string Directory { get; }

    /// <summary>The private key the servers accept.</summary>
    public string ClientKey => Path.Combine(Directory, "client_key");

    /// <summary>A private key no server accepts.</summary>
    public string WrongKey => Path.Combine(Directory, "wrong_key");

    /// <summary>The ssh client config: the folder's known_hosts, new host keys accepted, warnings off.</summary>
    public string ClientConfig => Path.Combine(Directory, "ssh_config");

    /// <summary>Makes the keys and the client config.</summary>
    public static async Task<LabSsh> CreateAsync()
    {
        if (!File.Exists(Sshd))
        {
            throw new InvalidOperationException($"{Sshd} is missing: install openssh-server (./test.sh installs it when missing)");
        }

        var ssh = new LabSsh(System.IO.Directory.CreateTempSubdirectory("funcexec-labssh-").FullName);
        foreach (var key in new[] { "host_key", "client_key", "wrong_key" })
        {
            await RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", key, "-f", Path.Combine(ssh.Directory, key));
        }

        File.Copy(ssh.ClientKey + ".pub", Path.Combine(ssh.Directory, "authorized_keys"));
        await File.WriteAllTextAsync(ssh.ClientConfig, $"""
            Host *
              UserKnownHostsFile {ssh.Directory}/known_hosts
              GlobalKnownHostsFile /dev/null
              StrictHostKeyChecking accept-new
              LogLevel ERROR

            """);
        // sshd refuses to start without its privilege separation folder, which the package's service would make.
        System.IO.Directory.CreateDirectory("/run/sshd");
        return ssh;
    }

    /// <summary>Starts sshd in the foreground in <paramref name="host"/> on <see cref="Port"/> and waits until it listens.</summary>
    public async Task<LabProcess> StartServerAsync(NetworkLab lab, string host)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var config = Path.Combine(Directory, $"sshd_config-{host}");
        await File.WriteAllTextAsync(config, $"""
            Port {Port.ToString(CultureInfo.InvariantCulture)}
            ListenAddress {lab[host].Address}
            HostKey {Directory}/host_key
            PidFile {Directory}/sshd-{host}.pid
            AuthorizedKeysFile {Directory}/authorized_keys
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes no
            PermitRootLogin prohibit-password
            LogLevel VERBOSE

            """);
        // -D: stay in the foreground, so the lab owns and ends it; -e: log to stderr, where the test can read it.
        var sshd = lab.Start(host, Sshd, ["-D", "-e", "-f", config]);
        await sshd.WaitForOutputAsync("Server listening on", Patience);
        return sshd;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private static async Task RunAsync(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true, UseShellExecute = false })!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}");
        }
    }
}
