using FuncExec.IntegrationTests.Network;

namespace FuncExec.IntegrationTests.Distributed;

/// <summary>
/// Issue 9, secure by default: a scheduler started with no options generates a secret and a
/// certificate, runs nothing for a peer without the secret, speaks TLS beyond loopback, and lets
/// its user's local nodes and clients in by themselves; only <c>--insecure</c> opens it.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SecureByDefaultTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string _dir = Directory.CreateTempSubdirectory("funcexec-secure-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static IEnumerable<string> Funcexec(params string[] args) => ["exec", Path.Combine(AppContext.BaseDirectory, "funcexec.dll"), .. args];

    /// <summary>A task file whose one task is the command <c>touch MARKER</c>.</summary>
    private (string Tasks, string Marker) WriteTouchTask(string name)
    {
        var marker = Path.Combine(_dir, name + ".marker");
        var tasks = Path.Combine(_dir, name + ".yaml");
        File.WriteAllLines(tasks, ["tasks:", $"  - name: {name}", "    command: touch", $"    args: [\"{marker}\"]"]);
        return (tasks, marker);
    }

    [Fact]
    public async Task Run_DefaultSchedulerFromAnotherHost_RefusedWithoutTheSecret_RunsOverTlsWithIt()
    {
        using var lab = NetworkLab.Create("sched", "n1", "client");
        var state = Path.Combine(_dir, "state");
        using var scheduler = lab.Start("sched", "dotnet", Funcexec("scheduler", "--state-dir", state, "--udp-port", "0", "--no-dashboard", "--pulse-interval", "0.2"));
        await scheduler.WaitForOutputAsync("listening on", Patience);
        var address = $"{lab["sched"].Address}:9700";
        var secretFile = Path.Combine(state, "scheduler-9700", "secret");
        Assert.Contains($"generated the cluster secret in {secretFile}", scheduler.Output, StringComparison.Ordinal);
        Assert.Contains("TLS: required beyond loopback", scheduler.Output, StringComparison.Ordinal);
        using var node = lab.Start("n1", "dotnet", Funcexec("node", "--scheduler", address, "-c", "1", "--secret-file", secretFile));
        await node.WaitForOutputAsync("joined scheduler", Patience);
        var (tasks, marker) = WriteTouchTask("intruder");

        using (var stranger = lab.Start("client", "dotnet", Funcexec("run", tasks, "--scheduler", address)))
        {
            Assert.Equal(2, await stranger.WaitForExitAsync(Patience));
            Assert.Contains("requires the cluster secret and this side has none", stranger.Output, StringComparison.Ordinal);
            Assert.Contains("--secret-file", stranger.Output, StringComparison.Ordinal);
        }

        await scheduler.WaitForOutputAsync("does not know our secret", Patience);
        Assert.False(File.Exists(marker), "a client without the secret ran a command");

        using (var member = lab.Start("client", "dotnet", Funcexec("run", tasks, "--scheduler", address, "--secret-file", secretFile)))
        {
            Assert.True(await member.WaitForExitAsync(Patience) == 0, member.Output);
        }

        Assert.True(File.Exists(marker), "the client with the secret did not run its command");

        // That run went over TLS: from another host the scheduler refuses plain text, and says so. The answer is a
        // frame whose bytes include 0x0a (the tag of the reason's field), so it is printed escaped, on one line: printed
        // as it came, its reason was a second line, which the capture could still be reading when the first matched.
        const string PlainHello = "import socket, sys\ns = socket.create_connection((sys.argv[1], 9700), timeout=10)\n"
            + "s.sendall(bytes.fromhex('2b0000000a29080210021a01782220' + '00' * 32))\ngot = b''\n"
            + "try:\n    while (b := s.recv(4096)): got += b\nexcept OSError: pass\nprint('answer:', ascii(got.decode('utf-8', 'replace')), flush=True)";
        using var plain = lab.Start("client", "python3", ["-c", PlainHello, lab["sched"].Address]);
        var answer = await plain.WaitForOutputAsync("answer:", Patience);
        Assert.Contains("this scheduler requires TLS; connect with --certfile", answer, StringComparison.Ordinal);
        await scheduler.WaitForOutputAsync("plain-text peer connected to this TLS scheduler", Patience);
    }

    [Fact]
    public async Task Run_LocalSchedulerNodeAndClientWithoutSecrets_PickUpTheGeneratedSecretFile()
    {
        var (scheduler, address) = await FuncexecProcess.StartSchedulerAsync();
        await using var _ = scheduler;
        await using var node = FuncexecProcess.Start("node", "--scheduler", address, "-c", "1");
        await node.WaitForAsync("joined scheduler");
        var (tasks, marker) = WriteTouchTask("local");

        var (exitCode, stdout, stderr) = await FuncExec.IntegrationTests.Funcexec.RunAsync("run", tasks, "--scheduler", address);

        Assert.True(exitCode == 0, stdout + stderr);
        Assert.True(File.Exists(marker));
        var secret = Path.Combine(TestHome.Folder, $"scheduler-{address.Split(':')[1]}", "secret");
        Assert.Contains($"generated the cluster secret in {secret}", scheduler.Output, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secret));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(secret)!));
    }

    [Fact]
    public async Task Run_SecretFileOpenToOthers_Exits2SayingChmod()
    {
        var file = Path.Combine(_dir, "secret");
        await File.WriteAllTextAsync(file, "s3cret\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var (tasks, marker) = WriteTouchTask("open");

        var (exitCode, _, stderr) = await FuncExec.IntegrationTests.Funcexec.RunAsync("run", tasks, "--scheduler", "127.0.0.1:1", "--secret-file", file);

        Assert.Equal(2, exitCode);
        Assert.Contains($"chmod 600 {file}", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task Run_InsecureScheduler_WarnsAndRunsForAPeerWithoutSecretOnAnotherHost()
    {
        // Other hosts, so that no secret file of an earlier scheduler on this port is picked up.
        using var lab = NetworkLab.Create("sched", "n1", "client");
        using var scheduler = lab.Start("sched", "dotnet", Funcexec("scheduler", "--insecure", "--state-dir", Path.Combine(_dir, "state"), "--udp-port", "0", "--no-dashboard"));
        await scheduler.WaitForOutputAsync("listening on", Patience);
        var address = $"{lab["sched"].Address}:9700";
        Assert.Contains("INSECURE (--insecure): no cluster secret; anyone who can reach", scheduler.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "state", "scheduler-9700", "secret")));
        using var node = lab.Start("n1", "dotnet", Funcexec("node", "--scheduler", address, "-c", "1"));
        await node.WaitForOutputAsync("joined scheduler", Patience);
        var (tasks, marker) = WriteTouchTask("open-door");

        using var client = lab.Start("client", "dotnet", Funcexec("run", tasks, "--scheduler", address));

        Assert.True(await client.WaitForExitAsync(Patience) == 0, client.Output);
        Assert.True(File.Exists(marker));
    }
}
