using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FuncExec.Tests.Postgres;

/// <summary>
/// A PostgreSQL server of the tests' own: <c>initdb</c> into a temporary folder, then <c>postgres</c> as a child
/// process on a free port of 127.0.0.1, its socket in that folder; stopped and deleted at the end. The system's
/// service is never touched. The binaries come from the Debian package (<c>/usr/lib/postgresql/VERSION/bin</c>, the
/// newest version installed).
/// </summary>
/// <remarks>
/// PostgreSQL refuses to run as root: when the tests do, the folder is given to <c>nobody</c> and the server
/// runs as that user (through <c>setpriv</c>, which execs it, so the child process is the server itself). TCP
/// logins need the password (scram-sha-256); the tests' own tools log in through the socket.
/// </remarks>
public sealed class PostgresServer : IAsyncLifetime
{
    /// <summary>The user the server was created with.</summary>
    public const string User = "funcexec";

    private readonly string _folder = Directory.CreateTempSubdirectory("funcexec-postgres-").FullName;
    private readonly StringBuilder _log = new();
    private string _bin = string.Empty;
    private string[] _asOwner = [];
    private Process? _server;

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; private set; }

    /// <summary>The password of <see cref="User"/>: characters a URL must escape, so the tests see them escaped and unescaped.</summary>
    public string Password { get; } = "p@ss:w/rd%" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The server's process id.</summary>
    public int Pid => _server?.Id ?? 0;

    /// <summary>A <c>postgres://</c> URL for <paramref name="database"/>.</summary>
    public string Url(string database) => $"postgres://{User}:{Uri.EscapeDataString(Password)}@127.0.0.1:{Port}/{database}";

    public async Task InitializeAsync()
    {
        _bin = FindBin();
        if (IsRoot())
        {
            var gid = (await RunAsync("id", ["-g", "nobody"])).Trim();
            await RunAsync("chown", ["-R", $"nobody:{gid}", _folder]);
            _asOwner = ["setpriv", "--reuid=nobody", $"--regid={gid}", "--clear-groups", "--"];
        }

        var passwordFile = Path.Combine(_folder, "password");
        await File.WriteAllTextAsync(passwordFile, Password);
        if (_asOwner.Length > 0)
        {
            await RunAsync("chown", ["nobody", passwordFile]);
        }

        await RunAsOwnerAsync(Path.Combine(_bin, "initdb"), [
            "-D", Path.Combine(_folder, "data"), "-U", User, "--pwfile", passwordFile, "-E", "UTF8", "--no-sync",
            "--auth-host=scram-sha-256", "--auth-local=trust",
        ]);
        File.Delete(passwordFile);

        Port = FreePort();
        var start = StartInfo(Path.Combine(_bin, "postgres"), [
            "-D", Path.Combine(_folder, "data"), "-k", _folder, "-p", Port.ToString(CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1",
        ]);
        _server = Process.Start(start)!;
        _server.OutputDataReceived += (_, e) => Log(e.Data);
        _server.ErrorDataReceived += (_, e) => Log(e.Data);
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();

        // Startup takes a second or two: ask until it accepts connections (bounded).
        for (var attempt = 0; attempt < 120; attempt++)
        {
            if (_server.HasExited)
            {
                throw new InvalidOperationException($"postgres exited with {_server.ExitCode}:\n{LogText()}");
            }

            var ready = StartInfo(Path.Combine(_bin, "pg_isready"), ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-q"], asOwner: false);
            using var probe = Process.Start(ready)!;
            await probe.WaitForExitAsync();
            if (probe.ExitCode == 0)
            {
                return;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"postgres did not accept connections on 127.0.0.1:{Port}:\n{LogText()}");
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            if (!_server.HasExited)
            {
                // SIGINT: PostgreSQL's fast shutdown, which ends its sessions.
                await RunAsync("kill", ["-INT", _server.Id.ToString(CultureInfo.InvariantCulture)]);
                using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try
                {
                    await _server.WaitForExitAsync(stopped.Token);
                }
                catch (OperationCanceledException)
                {
                    // It did not stop when asked: end it and its processes.
                    _server.Kill(entireProcessTree: true);
                }
            }

            _server.Dispose();
        }

        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Creates a database of its own for a test.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "journal")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)];
        await PsqlAsync("postgres", $"CREATE DATABASE {name}");
        return name;
    }

    /// <summary>Runs <paramref name="sql"/> in <paramref name="database"/> through the server's socket, as <see cref="User"/>; returns
    /// what it printed (unaligned, tuples only).</summary>
    public Task<string> PsqlAsync(string database, string sql) =>
        RunAsync(Path.Combine(_bin, "psql"), ["-h", _folder, "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", User, "-d", database, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql]);

    /// <summary>What the server logged so far.</summary>
    public string LogText()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    private static string FindBin()
    {
        const string root = "/usr/lib/postgresql";
        var versions = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Where(d => File.Exists(Path.Combine(d, "bin", "postgres")) && int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out _))
                .OrderByDescending(d => int.Parse(Path.GetFileName(d), CultureInfo.InvariantCulture))
                .ToList()
            : [];
        return versions.Count > 0
            ? Path.Combine(versions[0], "bin")
            : throw new InvalidOperationException($"no PostgreSQL server under {root}/VERSION/bin: install the Debian package postgresql (test.sh does)");
    }

    private static bool IsRoot()
    {
        var status = File.ReadAllLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        return status is not null && status.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) == "0";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private ProcessStartInfo StartInfo(string program, string[] args, bool asOwner = true)
    {
        string[] command = asOwner ? [.. _asOwner, program, .. args] : [program, .. args];
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _folder,
        };
        foreach (var arg in command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    private Task<string> RunAsOwnerAsync(string program, string[] args) => RunAsync(StartInfo(program, args));

    private Task<string> RunAsync(string program, string[] args) => RunAsync(StartInfo(program, args, asOwner: false));

    private static async Task<string> RunAsync(ProcessStartInfo start)
    {
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{start.FileName} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}: {await error}{await output}");
        }

        return await output;
    }

    private void Log(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
