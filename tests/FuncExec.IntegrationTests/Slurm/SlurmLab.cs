using System.Diagnostics;
using System.Globalization;
using FuncExec.IntegrationTests.Network;

namespace FuncExec.IntegrationTests.Slurm;

/// <summary>
/// A real Slurm cluster of its own, in a <see cref="NetworkLab"/>: <c>slurmctld</c> on host <c>ctl</c>, one
/// <c>slurmd</c> on each compute host (<c>n1</c>, <c>n2</c>: two cores each, partition <c>lab</c>), and a
/// <c>munged</c> with its own key, all child processes with their configuration, state and logs in one temp
/// folder; the machine's Slurm and munge settings are never read. Also a funcexec scheduler on <c>ctl</c>.
/// Needs root, iproute2, util-linux, slurm-wlm and munge (<c>./test.sh</c> installs them).
/// </summary>
/// <remarks>
/// Each daemon runs in its host's network namespace (entered with <c>nsenter</c>, not <c>ip netns exec</c>, which
/// would mount a fresh <c>/sys</c> without the cgroup file systems slurmd insists on) and in a UTS namespace of
/// its own whose host name is the Slurm node name, as on a real cluster. Slurm's commands
/// (<c>sbatch</c>, <c>squeue</c>, ...) find the controller through <see cref="Environment"/>'s <c>SLURM_CONF</c>,
/// and munge through the <c>AuthInfo</c> socket it names. Processes are tracked by process tree
/// (<c>proctrack/linuxproc</c>) and pinned with <c>task/affinity</c>, which need no cgroup setup.
/// </remarks>
public sealed class SlurmLab : IAsyncLifetime
{
    /// <summary>The test collection sharing one lab: its tests run one after another, each leaving no job behind.</summary>
    public const string Collection = "Slurm lab";

    /// <summary>The compute hosts, in the order of the partition.</summary>
    public static readonly string[] ComputeHosts = ["n1", "n2"];

    /// <summary>The cluster secret of the funcexec scheduler on <c>ctl</c>.</summary>
    public const string Secret = "slurm lab $ecret";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly List<LabProcess> _daemons = [];
    private Process? _munged;

    /// <summary>The lab: <c>ctl</c> first, then <see cref="ComputeHosts"/>.</summary>
    public NetworkLab Lab { get; private set; } = null!;

    /// <summary>The folder of slurm.conf, munge's key and socket, state, spools and logs.</summary>
    public string Directory { get; private set; } = "";

    /// <summary>The funcexec scheduler on <c>ctl</c>, listening on port 9700.</summary>
    public LabProcess Scheduler { get; private set; } = null!;

    /// <summary><c>host:port</c> of <see cref="Scheduler"/> as every lab host reaches it.</summary>
    public string SchedulerAddress => $"{Lab["ctl"].Address}:9700";

    /// <summary>What a Slurm command (or funcexec slurm) needs: <c>SLURM_CONF</c>, and the scheduler's secret.</summary>
    public Dictionary<string, string> Environment => new()
    {
        ["SLURM_CONF"] = Path.Combine(Directory, "slurm.conf"),
        ["FUNCEXEC_SECRET"] = Secret,
    };

    public async Task InitializeAsync()
    {
        foreach (var program in new[] { "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/usr/bin/sbatch" })
        {
            if (!File.Exists(program))
            {
                throw new InvalidOperationException($"{program} is missing: install slurm-wlm and munge (./test.sh installs them when missing)");
            }
        }

        Directory = System.IO.Directory.CreateTempSubdirectory("funcexec-slurm-").FullName;
        Lab = NetworkLab.Create(["ctl", .. ComputeHosts]);
        await StartMungeAsync();
        await File.WriteAllTextAsync(Path.Combine(Directory, "slurm.conf"), SlurmConf());
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "state"));
        foreach (var host in ComputeHosts)
        {
            System.IO.Directory.CreateDirectory(Path.Combine(Directory, "spool", host));
        }

        var ctld = StartDaemon("ctl", "/usr/sbin/slurmctld", "-D", "-i", "-f", Path.Combine(Directory, "slurm.conf"));
        await ctld.WaitForOutputAsync("Running as primary controller", Patience);
        foreach (var host in ComputeHosts)
        {
            StartDaemon(host, "/usr/sbin/slurmd", "-D", "-N", host, "-f", Path.Combine(Directory, "slurm.conf"));
        }

        await WaitUntilIdleAsync();
        Scheduler = Lab.Start("ctl", "dotnet", Funcexec("scheduler", "--no-journal", "--pulse-interval", "0.5", "--name", "sched", "--no-dashboard"), Environment);
        await Scheduler.WaitForOutputAsync("listening on", Patience);
    }

    /// <summary>The arguments of <c>dotnet</c> that run this build's <c>funcexec ARGS</c>.</summary>
    public static IEnumerable<string> Funcexec(params string[] args) => ["exec", Path.Combine(AppContext.BaseDirectory, "funcexec.dll"), .. args];

    /// <summary>Runs <c>funcexec ARGS</c> on <c>ctl</c> with <see cref="Environment"/> (and <paramref name="env"/>) to its end.</summary>
    public async Task<LabProcess> FuncexecAsync(IDictionary<string, string>? env, params string[] args)
    {
        var environment = Environment;
        foreach (var (name, value) in env ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        var process = Lab.Start("ctl", "dotnet", Funcexec(args), environment);
        await process.WaitForExitAsync(Patience);
        return process;
    }

    /// <summary>Runs a Slurm command (<c>squeue</c>, <c>scancel</c>, ...) on <c>ctl</c> to its end and returns its output.</summary>
    public async Task<string> SlurmAsync(string program, params string[] args)
    {
        using var process = Lab.Start("ctl", program, args, Environment);
        var exit = await process.WaitForExitAsync(Patience);
        return exit == 0 ? process.Output : throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {exit}: {process.Output}");
    }

    public async Task DisposeAsync()
    {
        var failures = new List<Exception>();
        // The daemons first, so slurmd stops no job step half way while the lab kills what it holds.
        foreach (var daemon in _daemons)
        {
            daemon.KillTree();
        }

        foreach (var daemon in _daemons)
        {
            if (await Task.WhenAny(daemon.Completion, Task.Delay(TimeSpan.FromSeconds(10))) != daemon.Completion)
            {
                failures.Add(new TimeoutException($"{daemon} did not exit after SIGKILL"));
            }

            daemon.Dispose();
        }

        try
        {
            Lab?.Dispose();
        }
        catch (AggregateException e)
        {
            failures.Add(e);
        }

        if (_munged is { } munged)
        {
            munged.Kill(entireProcessTree: true);
            await munged.WaitForExitAsync();
            munged.Dispose();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
        if (failures.Count > 0)
        {
            throw new AggregateException("The Slurm lab was not fully removed", failures);
        }
    }

    private async Task StartMungeAsync()
    {
        var munge = System.IO.Directory.CreateDirectory(Path.Combine(Directory, "munge")).FullName;
        File.WriteAllBytes(Path.Combine(munge, "key"), System.Security.Cryptography.RandomNumberGenerator.GetBytes(1024));
        if (!OperatingSystem.IsWindows())
        {
            // munged refuses a key others may read, or a folder others may write.
            File.SetUnixFileMode(Path.Combine(munge, "key"), UnixFileMode.UserRead);
            File.SetUnixFileMode(munge, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var start = new ProcessStartInfo("/usr/sbin/munged") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // -F: stays our child; --force: a key and folders in /tmp pass its ownership checks as they are.
        foreach (var arg in new[] { "-F", "--force", $"--socket={munge}/socket", $"--key-file={munge}/key", $"--pid-file={munge}/pid", $"--log-file={munge}/log", $"--seed-file={munge}/seed" })
        {
            start.ArgumentList.Add(arg);
        }

        _munged = Process.Start(start)!;
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(munge, "socket")))
        {
            if (_munged.HasExited || deadline.Elapsed > Patience)
            {
                throw new InvalidOperationException($"munged did not start: {await _munged.StandardError.ReadToEndAsync()} {ReadOrEmpty(Path.Combine(munge, "log"))}");
            }

            await Task.Delay(20);
        }
    }

    private LabProcess StartDaemon(string host, string program, params string[] args)
    {
        var labHost = Lab[host];
        var start = new ProcessStartInfo("nsenter") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in (string[])[$"--net=/run/netns/{labHost.Namespace}", "unshare", "--uts", "sh", "-c", "hostname \"$0\" && exec \"$@\"", host, program, .. args])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["SLURM_CONF"] = Path.Combine(Directory, "slurm.conf");
        var daemon = LabProcess.Start(labHost, $"{program} {string.Join(' ', args)}", start);
        _daemons.Add(daemon);
        return daemon;
    }

    private async Task WaitUntilIdleAsync()
    {
        var deadline = Stopwatch.StartNew();
        var states = "";
        while (deadline.Elapsed < Patience)
        {
            states = await SlurmAsync("sinfo", "--noheader", "--Node", "--format=%N %T");
            var idle = states.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Count(line => line.EndsWith(" idle", StringComparison.Ordinal));
            if (idle == ComputeHosts.Length)
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The Slurm nodes are not idle after {Patience.TotalSeconds:0} s: {states}\n" + string.Join("\n", _daemons.Select(d => $"{d}: {d.Output}")));
    }

    private string SlurmConf()
    {
        var dir = Directory;
        var conf = new System.Text.StringBuilder($"""
            ClusterName=funcexeclab
            SlurmctldHost=ctl({Lab["ctl"].Address})
            SlurmctldPort=6817
            SlurmdPort=6818
            AuthType=auth/munge
            AuthInfo=socket={dir}/munge/socket
            CredType=cred/munge
            SlurmUser=root
            SlurmdUser=root
            StateSaveLocation={dir}/state
            SlurmdSpoolDir={dir}/spool/%n
            SlurmctldPidFile={dir}/slurmctld.pid
            SlurmdPidFile={dir}/slurmd-%n.pid
            SlurmctldLogFile={dir}/slurmctld.log
            SlurmdLogFile={dir}/slurmd-%n.log
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/affinity
            SelectType=select/cons_tres
            SelectTypeParameters=CR_Core
            SchedulerType=sched/backfill
            ReturnToService=2
            MpiDefault=none
            MailProg=/bin/true
            JobCompType=jobcomp/none
            AccountingStorageType=accounting_storage/none
            SlurmdParameters=config_overrides
            KillWait=5
            MinJobAge=300

            """);
        for (var i = 0; i < ComputeHosts.Length; i++)
        {
            var host = ComputeHosts[i];
            conf.Append(CultureInfo.InvariantCulture, $"NodeName={host} NodeHostname={host} NodeAddr={Lab[host].Address} CPUs=2 State=UNKNOWN\n");
        }

        conf.Append(CultureInfo.InvariantCulture, $"PartitionName=lab Nodes={string.Join(',', ComputeHosts)} Default=YES MaxTime=INFINITE State=UP\n");
        return conf.ToString();
    }

    private static string ReadOrEmpty(string path) => File.Exists(path) ? File.ReadAllText(path) : "";
}
