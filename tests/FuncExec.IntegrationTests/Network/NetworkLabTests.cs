using System.Diagnostics;

namespace FuncExec.IntegrationTests.Network;

/// <summary>The lab against the real kernel: namespaces, veths, a bridge, and real TCP and UDP between them.</summary>
public sealed class NetworkLabTests
{
    // A ceiling on what each step waits for, not a measure: a Python probe that connects within its own 2 s timeout
    // was still starting after 5 s once, on this 2-core machine with two test runs at once.
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    // The system interpreter starts in ~50 ms; the pyenv shim first found on PATH takes ~200 ms.
    private static readonly string Python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    // Accepts connections forever, reporting each peer, answering "pong" to a line.
    private const string TcpServer = """
        import socket
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", 7000))
        s.listen()
        print("listening", flush=True)
        while True:
            c, (peer, _) = s.accept()
            line = c.makefile().readline().strip()
            print(f"got {line} from {peer}", flush=True)
            c.sendall(b"pong\n")
            c.close()
        """;

    // One connection attempt: argv = address, timeout in seconds.
    private const string TcpProbe = """
        import socket, sys
        try:
            socket.create_connection((sys.argv[1], 7000), timeout=float(sys.argv[2])).close()
            print("connected", flush=True)
        except TimeoutError:
            print("timed out", flush=True)
        except OSError as e:
            print(f"error {e}", flush=True)
        """;

    [Fact]
    public async Task Create_TwoHosts_EachHasItsAddressOnEth0()
    {
        using var lab = NetworkLab.Create("a", "b");

        foreach (var host in lab.Hosts)
        {
            var ip = lab.Start(host.Name, "ip", ["-4", "-o", "addr", "show"]);
            Assert.Equal(0, await ip.WaitForExitAsync(Wait));
            Assert.Contains($"eth0    inet {host.Address}/24 brd {lab.BroadcastAddress} ", ip.Output, StringComparison.Ordinal);
            Assert.Contains("lo    inet 127.0.0.1/8", ip.Output, StringComparison.Ordinal);
        }
        Assert.StartsWith($"{lab.Prefix}-", lab["a"].Namespace, StringComparison.Ordinal);
        var network = lab.Subnet[..lab.Subnet.LastIndexOf('.')];
        Assert.Matches(@"^10\.200\.\d{1,3}$", network);
        Assert.Equal($"{network}.1", lab["a"].Address);
        Assert.Equal($"{network}.2", lab.Host("b").Address);
        Assert.Equal($"{network}.255", lab.BroadcastAddress);
    }

    [Fact]
    public async Task Start_ListenerInOneHost_OtherHostConnectsOverTcp()
    {
        using var lab = NetworkLab.Create("server", "client");
        var server = lab.Start("server", Python, ["-c", TcpServer]);
        await server.WaitForOutputAsync("listening", Wait);

        // Bash's /dev/tcp: a client with nothing to install.
        var client = lab.Start("client", "bash", ["-c", $"exec 3<>/dev/tcp/{lab["server"].Address}/7000; echo ping >&3; read -r reply <&3; echo \"reply $reply\""]);

        Assert.Equal(0, await client.WaitForExitAsync(Wait));
        Assert.Contains("reply pong", client.Output, StringComparison.Ordinal);
        await server.WaitForOutputAsync($"got ping from {lab["client"].Address}", Wait);
    }

    [Fact]
    public async Task Start_UdpBroadcastFromOneHost_ReachesEveryOtherHost()
    {
        using var lab = NetworkLab.Create("sender", "r1", "r2");
        const string receiver = """
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("", 9999))
            print("ready", flush=True)
            for _ in range(2):
                data, (peer, _) = s.recvfrom(100)
                print(f"{data.decode()} from {peer}", flush=True)
            """;
        var receivers = new[] { lab.Start("r1", Python, ["-c", receiver]), lab.Start("r2", Python, ["-c", receiver]) };
        foreach (var r in receivers)
            await r.WaitForOutputAsync("ready", Wait);

        var sender = lab.Start("sender", Python, ["-c", $"""
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
            s.sendto(b"limited", ("255.255.255.255", 9999))
            s.sendto(b"directed", ("{lab.BroadcastAddress}", 9999))
            """]);

        Assert.Equal(0, await sender.WaitForExitAsync(Wait));
        foreach (var r in receivers)
        {
            await r.WaitForOutputAsync($"limited from {lab["sender"].Address}", Wait);
            await r.WaitForOutputAsync($"directed from {lab["sender"].Address}", Wait);
        }
    }

    [Fact]
    public async Task CutLink_ThenRestoreLink_ConnectTimesOutThenSucceeds()
    {
        using var lab = NetworkLab.Create("server", "client");
        var server = lab.Start("server", Python, ["-c", TcpServer]);
        await server.WaitForOutputAsync("listening", Wait);
        var address = lab["server"].Address;

        Assert.Equal("connected", await ProbeAsync(lab, "client", address, timeoutSeconds: 2));

        lab.CutLink("server");
        Assert.Equal("timed out", await ProbeAsync(lab, "client", address, timeoutSeconds: 0.5));
        // Nothing changed for the server locally: it still runs, and still has its address.
        Assert.False(server.HasExited);
        var addr = lab.Start("server", "ip", ["-4", "-o", "addr", "show", "dev", "eth0"]);
        await addr.WaitForOutputAsync($"inet {address}/24", Wait);

        lab.RestoreLink("server");
        Assert.Equal("connected", await ProbeAsync(lab, "client", address, timeoutSeconds: 2));
    }

    [Fact]
    public async Task Kill_RunningProgram_KillsTheProgramItselfInsideTheHostNamespace()
    {
        using var lab = NetworkLab.Create("a");
        var program = lab.Start("a", Python, ["-c", "import os, time; print(os.getpid(), flush=True); time.sleep(60)"]);

        var printedPid = int.Parse(await program.WaitForOutputAsync("", Wait), System.Globalization.CultureInfo.InvariantCulture);

        // ip netns exec execs the program in place: the pid we hold is the program's, in the host's namespace.
        Assert.Equal(program.Id, printedPid);
        Assert.Equal(lab["a"].Namespace, Ip.Run("netns", "identify", printedPid.ToString(System.Globalization.CultureInfo.InvariantCulture)).Trim());
        program.Kill();
        Assert.Equal(128 + 9, await program.WaitForExitAsync(Wait));
        Assert.Empty(Ip.NamespacePids(lab["a"].Namespace));
    }

    [Fact]
    public async Task Dispose_WithRunningProgramsAndADaemon_KillsThemAndRemovesAllNamespaces()
    {
        using var lab = NetworkLab.Create("a", "b");
        var names = lab.Hosts.Select(h => h.Namespace).Append(lab.SwitchNamespace).ToArray();
        var sleeper = lab.Start("b", "sleep", ["60"]);
        // The daemon leaves the program's process tree, so only the sweep of the namespace finds it.
        var forker = lab.Start("a", "bash", ["-c", "(sleep 60 >/dev/null 2>&1 & echo daemon $!); exec sleep 60"]);
        var daemon = int.Parse((await forker.WaitForOutputAsync("daemon ", Wait))["daemon ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(IsRunning(daemon));

        lab.Dispose();

        Assert.True(sleeper.HasExited);
        Assert.True(forker.HasExited);
        Assert.False(IsRunning(daemon));
        Assert.Empty(Ip.ListNamespaces().Intersect(names));
        Assert.Throws<ObjectDisposedException>(() => lab.Start("a", "true", []));
    }

    [Fact]
    public void Create_TwoLabsAtOnce_GetDistinctPrefixesAndSubnets()
    {
        using var first = NetworkLab.Create("a");
        using var second = NetworkLab.Create("a");

        Assert.NotEqual(first.Prefix, second.Prefix);
        Assert.NotEqual(first.Subnet, second.Subnet);
        // Each Create ran CleanupLeftovers, which must have left the other live lab alone.
        Assert.Contains(first["a"].Namespace, Ip.ListNamespaces());
    }

    [Fact]
    public void CleanupLeftovers_NamespaceOfLiveLab_IsLeftAlone()
    {
        using var slot = LabSlot.AcquireFree();
        var netns = $"{slot.Prefix}-live";
        Ip.Run("netns", "add", netns);
        try
        {
            NetworkLab.CleanupLeftovers();

            Assert.Contains(netns, Ip.ListNamespaces());
        }
        finally
        {
            Ip.Run("netns", "delete", netns);
        }
    }

    [Fact]
    public void CleanupLeftovers_NamespaceOfCrashedLabWithProcess_KillsItAndRemovesNamespace()
    {
        string netns;
        // A crashed run: a namespace with a program still in it, and no live lab holding its number.
        using (var slot = LabSlot.AcquireFree())
        {
            netns = $"{slot.Prefix}-crashed";
            Ip.Run("netns", "add", netns);
        }
        using var orphan = Process.Start("ip", ["netns", "exec", netns, "sleep", "60"]);
        WaitUntil(() => Ip.NamespacePids(netns).Contains(orphan.Id));

        NetworkLab.CleanupLeftovers();

        // Another test's Create may have cleaned it first; either way it must be gone.
        Assert.DoesNotContain(netns, Ip.ListNamespaces());
        Assert.True(orphan.WaitForExit(Wait));
    }

    private static async Task<string> ProbeAsync(NetworkLab lab, string from, string address, double timeoutSeconds)
    {
        var probe = lab.Start(from, Python, ["-c", TcpProbe, address, timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await probe.WaitForExitAsync(Wait);
        return probe.Output.Trim();
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            // Field 3 of /proc/PID/stat is the state; a zombie is dead, only not yet reaped by its new parent.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }

    private static void WaitUntil(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < Wait, "condition not met in time");
            Thread.Sleep(10);
        }
    }
}
