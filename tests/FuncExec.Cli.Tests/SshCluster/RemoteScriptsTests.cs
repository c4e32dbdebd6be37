using System.Diagnostics;
using System.Globalization;
using FuncExec.Cli.SshCluster;
using FuncExec.Cli.Tests.Support;
using FuncExec.Tests.Files;

namespace FuncExec.Cli.Tests.SshCluster;

/// <summary>The scripts a host runs, run here by /bin/sh as sshd would run them, with a stand-in for funcexec.</summary>
public sealed class RemoteScriptsTests : IDisposable
{
    // Prints what it was started with, then stays up like a node (its command line still reads "funcexec ... node ... --name N").
    private const string FakeFuncexec = """
        #!/bin/sh
        echo "args: $*"
        echo "secret: ${FUNCEXEC_SECRET:-unset}"
        while :; do sleep 1; done
        """;

    private readonly TemporaryDirectory _dir = new();
    private readonly List<int> _started = [];

    public void Dispose()
    {
        foreach (var pid in _started.Where(Shell.IsRunning))
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
        }

        _dir.Dispose();
    }

    private ClusterHost Host(string name = "n1") => new()
    {
        Name = name,
        Host = "node1",
        RemoteDir = Path.Combine(_dir.Path, "remote dir's"),
        Funcexec = FakeFuncexecPath(),
        Cpus = 2,
        DestPath = "/scratch/it's",
        NodeArgs = ["--debug", "$(touch /tmp/funcexec-script-test-pwned)"],
        SchedulerPort = 9800,
    };

    private static NodeLaunch Launch(string? secret = null) => new() { Secret = secret, BuildId = "1.0.0-abc", LocalFuncexec = "/nowhere/funcexec.dll" };

    private static Dictionary<string, string> FromClient(string address) => new() { ["SSH_CONNECTION"] = $"{address} 50000 10.9.9.9 22" };

    private string FakeFuncexecPath()
    {
        var path = Path.Combine(_dir.Path, "bin", "funcexec");
        return File.Exists(path) ? path : _dir.WriteExecutable("bin/funcexec", FakeFuncexec);
    }

    private async Task<SshResult> RunAsync(string script, IDictionary<string, string>? environment = null)
    {
        var (exit, stdout, stderr) = await Shell.RunScriptAsync(script, environment);
        var result = new SshResult(exit, stdout, stderr);
        foreach (var report in result.Reports.Where(r => r[0] is "started" or "running"))
        {
            _started.Add(int.Parse(report[1], CultureInfo.InvariantCulture));
        }

        return result;
    }

    private static async Task<string> WaitForLogAsync(string path, string text)
    {
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(path) || !(await File.ReadAllTextAsync(path)).Contains(text, StringComparison.Ordinal))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), $"no '{text}' in {path}");
            await Task.Delay(20);
        }

        return await File.ReadAllTextAsync(path);
    }

    [Fact]
    public async Task Start_FreshHost_StartsDetachedWithPidFileLogAndSchedulerFromTheSshConnection()
    {
        var host = Host();

        var result = await RunAsync(RemoteScripts.Start(host, Launch(secret: "it's a $ecret")), FromClient("10.1.2.3"));

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        var started = result.Report("started")!;
        var pid = int.Parse(started[1], CultureInfo.InvariantCulture);
        Assert.Equal(Path.Combine(host.RemoteDir, "node-n1.log"), started[2]);
        Assert.Equal("10.1.2.3:9800", result.Report("scheduler")![2]);
        Assert.Equal(pid.ToString(CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(host.RemoteDir, "node-n1.pid")).Trim());
        var log = await WaitForLogAsync(started[2], "secret:");
        Assert.Contains("args: node --scheduler 10.1.2.3:9800 --name n1 -c 2 --dest-path /scratch/it's --debug $(touch /tmp/funcexec-script-test-pwned)", log, StringComparison.Ordinal);
        Assert.Contains("secret: it's a $ecret", log, StringComparison.Ordinal);
        Assert.False(File.Exists("/tmp/funcexec-script-test-pwned"));
        // The secret is in the node's environment, never on its command line.
        Assert.DoesNotContain("ecret", File.ReadAllText($"/proc/{pid}/cmdline"), StringComparison.Ordinal);
        // Detached: a session of its own.
        Assert.Equal(pid, SessionOf(pid));
    }

    [Fact]
    public async Task Start_NodeAlreadyRunning_ReportsItAndStartsNoOther()
    {
        var host = Host();
        var first = await RunAsync(RemoteScripts.Start(host, Launch()), FromClient("10.1.2.3"));

        var second = await RunAsync(RemoteScripts.Start(host, Launch()), FromClient("10.1.2.3"));

        Assert.Equal(first.Report("started")![1], second.Report("running")![1]);
        Assert.Null(second.Report("started"));
    }

    [Fact]
    public async Task Start_ExplicitSchedulerAndIpv6_DialsItBracketed()
    {
        var host = Host() with { SchedulerHost = "fe80::5" };

        var result = await RunAsync(RemoteScripts.Start(host, Launch()), FromClient("10.1.2.3"));

        Assert.Equal("[fe80::5]:9800", result.Report("scheduler")![2]);
    }

    [Fact]
    public async Task Start_NoSuchDotnet_ErrorNamesIt()
    {
        var result = await RunAsync(RemoteScripts.Start(Host() with { Dotnet = "/nonexistent/dotnet" }, Launch()), FromClient("10.1.2.3"));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["error", "dotnet", "/nonexistent/dotnet (--dotnet) is not a program on the host"], result.Report("error")!);
    }

    [Fact]
    public async Task Start_NoFuncexecAnywhere_SaysWhereItLookedAndToUseInstall()
    {
        var host = Host() with { Funcexec = null };

        // An empty PATH but for what the script needs: no funcexec on it.
        var result = await RunAsync(RemoteScripts.Start(host, Launch()), new Dictionary<string, string>(FromClient("10.1.2.3")) { ["PATH"] = "/usr/bin:/bin" });

        Assert.Equal(1, result.ExitCode);
        var error = result.Report("error")!;
        Assert.Equal("funcexec", error[1]);
        Assert.Contains($"not in {host.RemoteDir}/1.0.0-abc, not at /nowhere/funcexec.dll, not on PATH); run with --install", error[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_NodeExitsAtOnce_ErrorQuotesTheEndOfItsLog()
    {
        var crash = _dir.WriteExecutable("bin/crash/funcexec", "#!/bin/sh\necho \"Unhandled exception: bad argument\"\nexit 3\n");

        var result = await RunAsync(RemoteScripts.Start(Host() with { Funcexec = crash }, Launch()), FromClient("10.1.2.3"));

        Assert.Equal("exited", result.Report("error")![1]);
        Assert.Equal(["Unhandled exception: bad argument"], result.LogLines);
        Assert.False(File.Exists(Path.Combine(Host().RemoteDir, "node-n1.pid")));
    }

    [Fact]
    public async Task Stop_RunningNode_TermsItThenKillsWhatIsLeftOfItsProcessGroup()
    {
        var host = Host();
        var pid = int.Parse((await RunAsync(RemoteScripts.Start(host, Launch()), FromClient("10.1.2.3"))).Report("started")![1], CultureInfo.InvariantCulture);
        // The fake node's "sleep 1" children share its process group, as a node's workers do.
        var child = await ChildOfAsync(pid);

        var result = await RunAsync(RemoteScripts.Stop(host, TimeSpan.FromSeconds(10)));

        Assert.Equal(["stopped", pid.ToString(CultureInfo.InvariantCulture), Path.Combine(host.RemoteDir, "node-n1.log")], result.Report("stopped")!);
        Assert.True(await Shell.WaitUntilGoneAsync(pid));
        Assert.True(await Shell.WaitUntilGoneAsync(child));
        Assert.False(File.Exists(Path.Combine(host.RemoteDir, "node-n1.pid")));
    }

    [Fact]
    public async Task Stop_NodeIgnoringSigterm_KilledAfterTheGrace()
    {
        var stubborn = _dir.WriteExecutable("bin/stubborn/funcexec", "#!/bin/sh\ntrap '' TERM\nwhile :; do sleep 1; done\n");
        var host = Host() with { Funcexec = stubborn };
        var pid = int.Parse((await RunAsync(RemoteScripts.Start(host, Launch()), FromClient("10.1.2.3"))).Report("started")![1], CultureInfo.InvariantCulture);

        var result = await RunAsync(RemoteScripts.Stop(host, TimeSpan.FromSeconds(1)));

        Assert.Equal(pid.ToString(CultureInfo.InvariantCulture), result.Report("killed")![1]);
        Assert.True(await Shell.WaitUntilGoneAsync(pid));
    }

    [Fact]
    public async Task StopAndStatus_PidFileOfAnotherProgram_NeverSignalIt()
    {
        var host = Host();
        Directory.CreateDirectory(host.RemoteDir);
        using var other = Process.Start("sleep", "60");
        _started.Add(other.Id);
        File.WriteAllText(Path.Combine(host.RemoteDir, "node-n1.pid"), other.Id.ToString(CultureInfo.InvariantCulture));

        var status = await RunAsync(RemoteScripts.Status(host, 5));
        var stop = await RunAsync(RemoteScripts.Stop(host, TimeSpan.FromSeconds(1)));

        Assert.Equal("gone", status.Reports[0][0]);
        Assert.Equal("gone", stop.Reports[0][0]);
        Assert.True(Shell.IsRunning(other.Id));
    }

    [Fact]
    public async Task Status_RunningNode_PidAndTheLastLinesOfItsLog()
    {
        var host = Host();
        var pid = (await RunAsync(RemoteScripts.Start(host, Launch()), FromClient("10.1.2.3"))).Report("started")![1];
        await WaitForLogAsync(Path.Combine(host.RemoteDir, "node-n1.log"), "secret:");

        var result = await RunAsync(RemoteScripts.Status(host, 1));

        Assert.Equal(["running", pid, Path.Combine(host.RemoteDir, "node-n1.log")], result.Reports[0]);
        Assert.Equal(["secret: unset"], result.LogLines);
    }

    [Fact]
    public async Task Status_NeverStarted_None()
    {
        var result = await RunAsync(RemoteScripts.Status(Host(), 5));

        Assert.Equal("none", result.Reports[0][0]);
        Assert.Empty(result.LogLines);
    }

    [Fact]
    public async Task Install_TarOnStandardInput_UnpackedAsTheBuildFolder_TwiceAtOnceStillOneComplete()
    {
        var source = Path.Combine(_dir.Path, "build");
        _dir.Write("build/funcexec.dll", "dll");
        _dir.Write("build/runtimes/linux-x64/native.so", "so");
        var build = new LocalBuild(source);
        var host = Host();
        var launch = Launch() with { BuildId = build.Id };

        var installs = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            Shell.RunAsync(["-c", RemoteScripts.Install(host, launch)], writeInput: stream => build.WriteTarAsync(stream))));

        var target = Path.Combine(host.RemoteDir, build.Id);
        Assert.All(installs, i => Assert.True(i.ExitCode == 0, i.Stderr));
        Assert.All(installs, i => Assert.Equal(["installed", "-", target], new SshResult(i.ExitCode, i.Stdout, i.Stderr).Report("installed")!));
        Assert.Equal("so", File.ReadAllText(Path.Combine(target, "runtimes/linux-x64/native.so")));
        Assert.Equal([build.Id], Directory.GetDirectories(host.RemoteDir).Select(Path.GetFileName));
        var probe = await Shell.RunAsync(["-c", RemoteScripts.IsInstalled(host, launch)]);
        Assert.Equal(0, probe.ExitCode);
    }

    private static int SessionOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // Fields after "(comm)": state ppid pgrp session ...
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[3], CultureInfo.InvariantCulture);
    }

    private static async Task<int> ChildOfAsync(int pid)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var children = File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (children.Length > 0)
            {
                return int.Parse(children[0], CultureInfo.InvariantCulture);
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), $"pid {pid} started no child");
            await Task.Delay(20);
        }
    }
}
