using System.CommandLine;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using FuncExec.Slurm.Pilots;
using FuncExec.Cli.SshCluster;
using FuncExec.Core.Text;
using FuncExec.Node.Remote;
using FuncExec.Protocol.Connections;
using Microsoft.Extensions.Logging;

namespace FuncExec.Cli.Commands;

/// <summary>
/// <c>funcexec slurm up|status|down</c>: funcexec nodes as Slurm pilot jobs. <c>up</c> submits a batch job
/// that runs one node on each host Slurm gives it; <c>status</c> lists those jobs and their nodes;
/// <c>down</c> makes their nodes drain and leave, then ends the jobs.
/// </summary>
internal static class SlurmCommand
{
    public static Command Create() => new("slurm", "Run funcexec nodes as Slurm pilot jobs: submit them (sbatch), list them (squeue), stop them (scancel)")
    {
        CreateUp(),
        CreateStatus(),
        CreateDown(),
    };

    private static Option<bool> DebugOption() => new("--debug", "-d") { Description = "Log each Slurm command and how it ended to standard error" };

    private static Command CreateUp()
    {
        var scheduler = new Option<string>("--scheduler") { Description = "host:port of the scheduler, as the compute hosts reach it", Required = true };
        var nodes = new Option<int>("--nodes", "-N") { Description = "Hosts in the job; one funcexec node on each", DefaultValueFactory = _ => 1 };
        var partition = new Option<string?>("--partition", "-p") { Description = "Slurm partition (the cluster's default)" };
        var time = new Option<string?>("--time", "-t") { Description = "Time limit, as sbatch takes it: 01:00:00, 2-00:00:00, 90 (the partition's default)" };
        var cpus = new Option<int?>("--cpus-per-node", "-c") { Description = "Cores per host, one worker each (whole hosts: --exclusive)" };
        var account = new Option<string?>("--account", "-A") { Description = "Slurm account to charge" };
        var sbatchArgs = new Option<string[]>("--sbatch-arg")
        {
            Description = "One more sbatch option, passed as it is (repeatable), e.g. --sbatch-arg=--qos=debug --sbatch-arg=--mem=8G",
            AllowMultipleArgumentsPerToken = false,
        };
        var nodeArgs = new Option<string[]>("--node-arg")
        {
            Description = "One more funcexec node option, passed as it is (repeatable), e.g. --node-arg=--debug",
            AllowMultipleArgumentsPerToken = false,
        };
        var drainMargin = new Option<string>("--drain-margin")
        {
            Description = "How long before the time limit the nodes are told to drain (SIGTERM to each node, not its workers): they take no more work and let running tasks finish for the margin less 10 s",
            DefaultValueFactory = _ => "60s",
        };
        var wait = new Option<bool>("--wait") { Description = "Return once every node of the job has joined the scheduler (else as soon as Slurm took the job)" };
        var waitTimeout = new Option<string>("--wait-timeout") { Description = "How long --wait waits, queueing included", DefaultValueFactory = _ => "5m" };
        var logDir = new Option<string?>("--log-dir")
        {
            Description = "Folder for the job's and nodes' logs, which the compute hosts must be able to write (~/.funcexec/slurm)",
        };
        var funcexec = new Option<string?>("--funcexec")
        {
            Description = "funcexec.dll or the funcexec program as the compute hosts see it (this build, at the same path: a shared file system)",
        };
        var dotnet = new Option<string?>("--dotnet") { Description = "dotnet on the compute hosts, for a funcexec.dll (this one, else dotnet on their PATH)" };
        var debug = DebugOption();
        var security = new SecurityOptions();
        var command = new Command("up", "Submit a Slurm pilot job running one funcexec node on each of its hosts, joining the scheduler")
        {
            scheduler, nodes, partition, time, cpus, account, sbatchArgs, nodeArgs, drainMargin, wait, waitTimeout, logDir, funcexec, dotnet, debug,
        };
        security.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            SchedulerAddress address;
            try
            {
                address = SchedulerAddress.Parse(parse.GetValue(scheduler)!);
            }
            catch (FormatException ex)
            {
                return await FailAsync(2, $"slurm up: --scheduler: {ex.Message}").ConfigureAwait(false);
            }

            if (parse.GetValue(nodes) is var count && count < 1)
            {
                return await FailAsync(2, $"slurm up: --nodes {count}: a pilot job needs at least 1 host").ConfigureAwait(false);
            }

            if (parse.GetValue(cpus) is { } cores && cores < 1)
            {
                return await FailAsync(2, $"slurm up: --cpus-per-node {cores}: give 1 or more cores, or leave it out for whole hosts").ConfigureAwait(false);
            }

            if (!SchedulerCommand.TryParseDuration(parse.GetValue(drainMargin)!, out var margin) || margin < TimeSpan.Zero || margin.TotalSeconds > 65535)
            {
                return await FailAsync(2, $"slurm up: --drain-margin '{parse.GetValue(drainMargin)}' is not a duration from 0 to 18h, such as 60s or 5m").ConfigureAwait(false);
            }

            if (!SchedulerCommand.TryParseDuration(parse.GetValue(waitTimeout)!, out var patience) || patience < TimeSpan.Zero)
            {
                return await FailAsync(2, $"slurm up: --wait-timeout '{parse.GetValue(waitTimeout)}' is not a duration, such as 90s or 10m").ConfigureAwait(false);
            }

            var tls = security.Read(parse);
            if (string.IsNullOrEmpty(tls.Secret))
            {
                tls = tls with { Secret = await LocalSecretAsync(address, cancellationToken).ConfigureAwait(false) };
            }

            if (string.IsNullOrEmpty(tls.Secret))
            {
                return await FailAsync(2, "slurm up: the nodes need the scheduler's secret: give --secret-file FILE (mode 600), --secret or FUNCEXEC_SECRET").ConfigureAwait(false);
            }

            if (await IsLoopbackAsync(address.Host, cancellationToken).ConfigureAwait(false))
            {
                await Console.Error.WriteLineAsync($"slurm up: warning: {address} is a loopback address: each compute host will dial itself, not this machine; "
                    + "give an address the compute hosts reach").ConfigureAwait(false);
            }

            var request = new PilotRequest
            {
                Scheduler = address.ToString(),
                Nodes = count,
                CpusPerNode = parse.GetValue(cpus),
                Partition = parse.GetValue(partition),
                Time = parse.GetValue(time),
                Account = parse.GetValue(account),
                ExtraSubmitArgs = parse.GetValue(sbatchArgs) ?? [],
                NodeArgs = parse.GetValue(nodeArgs) ?? [],
                DrainMargin = margin,
                Secret = tls.Secret,
                CertFile = tls.CertFile,
                KeyFile = tls.KeyFile,
                LogDirectory = Path.GetFullPath(parse.GetValue(logDir) ?? Path.Combine(SchedulerStateFolder.DefaultHome, "slurm")),
                Funcexec = FuncexecCommand(parse.GetValue(funcexec), parse.GetValue(dotnet)),
            };

            using var logging = CliLogging.Create(parse.GetValue(debug));
            var logger = logging.CreateLogger("FuncExec.Cli.Slurm");
            var launcher = new SlurmLauncher(logger);
            string jobId;
            try
            {
                jobId = await launcher.SubmitAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (PilotLauncherMissingException ex)
            {
                return await FailAsync(2, $"slurm up: {ex.Message}").ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is PilotRefusedException or IOException or UnauthorizedAccessException)
            {
                return await FailAsync(1, $"slurm up: {ex.Message}").ConfigureAwait(false);
            }

            Console.WriteLine($"job {jobId}: submitted, {Plural.Of(count, "node")} joining the scheduler at {request.Scheduler}; "
                + $"logs {PilotNaming.JobLog(request.LogDirectory, jobId)} and {PilotNaming.NodeLog(request.LogDirectory, jobId, "HOST")}");
            if (!parse.GetValue(wait))
            {
                return 0;
            }

            try
            {
                var result = await new PilotWaiter(launcher, logger, TimeProvider.System)
                    .WaitAsync(jobId, request.Scheduler, tls, patience, cancellationToken).ConfigureAwait(false);
                return await ReportWaitAsync(jobId, request, result).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is FuncExecException or PeerProtocolException or FormatException)
            {
                // No scheduler there, or it refused us (secret, TLS, version): the job may be fine, but its nodes cannot be seen joining.
                return await FailAsync(1, $"slurm up: --wait: job {jobId} was submitted, but the scheduler at {request.Scheduler} cannot be asked: {ex.Message}").ConfigureAwait(false);
            }
        });
        return command;
    }

    private static async Task<int> ReportWaitAsync(string jobId, PilotRequest request, PilotWaitResult result)
    {
        var job = result.Job;
        switch (result.Outcome)
        {
            case PilotWaitOutcome.Joined:
                var nodes = job!.Hosts.Count == 1 ? "the node" : $"all {Plural.Of(job.Hosts.Count, "node")}";
                Console.WriteLine($"joined: {nodes} of job {jobId} {(job.Hosts.Count == 1 ? "is" : "are")} in the scheduler at {request.Scheduler} "
                    + $"({string.Join(", ", job.Hosts.Select(job.NodeName))}), {Durations.Format(result.Elapsed)} after submitting");
                return 0;
            case PilotWaitOutcome.Pending:
                await Console.Error.WriteLineAsync($"slurm up: job {jobId} is still pending after {Durations.Format(result.Elapsed)}: "
                    + $"{(job!.Reason.Length > 0 ? job.Reason : job.State)} (squeue's reason); it stays queued: cancel it with funcexec slurm down {jobId}").ConfigureAwait(false);
                return 1;
            case PilotWaitOutcome.NotJoined:
                await Console.Error.WriteLineAsync($"slurm up: job {jobId} runs, but {Plural.Of(result.Missing.Count, "node")} did not join the scheduler at "
                    + $"{request.Scheduler} within {Durations.Format(result.Elapsed)}: can the compute hosts reach it? See their logs:").ConfigureAwait(false);
                foreach (var host in result.Missing)
                {
                    await Console.Error.WriteLineAsync($"    {host}: {job!.NodeLog(host)}").ConfigureAwait(false);
                    await WriteTailAsync(job.NodeLog(host)).ConfigureAwait(false);
                }

                return 1;
            default:
                var how = job is null ? "ended" : $"ended ({job.State}{(job.Reason.Length > 0 ? ", " + job.Reason : "")})";
                await Console.Error.WriteLineAsync($"slurm up: job {jobId} {how} before its nodes joined; its log: "
                    + PilotNaming.JobLog(request.LogDirectory, jobId)).ConfigureAwait(false);
                await WriteTailAsync(PilotNaming.JobLog(request.LogDirectory, jobId)).ConfigureAwait(false);
                foreach (var log in NodeLogs(request.LogDirectory, jobId))
                {
                    await Console.Error.WriteLineAsync($"    {log}:").ConfigureAwait(false);
                    await WriteTailAsync(log).ConfigureAwait(false);
                }

                return 1;
        }
    }

    private static Command CreateStatus()
    {
        var debug = DebugOption();
        var command = new Command("status", "List your pilot jobs: state (and squeue's reason), hosts, time left, the nodes' names and logs") { debug };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var logging = CliLogging.Create(parse.GetValue(debug));
            var launcher = new SlurmLauncher(logging.CreateLogger("FuncExec.Cli.Slurm"));
            IReadOnlyList<PilotJob> jobs;
            try
            {
                jobs = await launcher.StatusAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (PilotLauncherMissingException ex)
            {
                return await FailAsync(2, $"slurm status: {ex.Message}").ConfigureAwait(false);
            }
            catch (PilotRefusedException ex)
            {
                return await FailAsync(1, $"slurm status: {ex.Message}").ConfigureAwait(false);
            }

            if (jobs.Count == 0)
            {
                Console.WriteLine("no pilot jobs");
                return 0;
            }

            foreach (var job in jobs)
            {
                var state = job.Reason.Length > 0 ? $"{job.State} ({job.Reason})" : job.State;
                var hosts = job.Hosts.Count > 0 ? $" on {string.Join(", ", job.Hosts)}" : "";
                Console.WriteLine($"job {job.Id}: {state}, {Plural.Of(job.NodeCount, "node")}{hosts}, partition {job.Partition}, "
                    + $"{job.TimeLeft} left, scheduler {job.Scheduler}, log {job.JobLog}");
                foreach (var host in job.Hosts)
                {
                    Console.WriteLine($"    node {job.NodeName(host)}: log {job.NodeLog(host)}");
                }
            }

            return 0;
        });
        return command;
    }

    private static Command CreateDown()
    {
        var jobIds = new Argument<string[]>("jobs") { Description = "Job ids to stop (every pilot job of yours when none is given)", Arity = ArgumentArity.ZeroOrMore };
        var grace = new Option<string>("--grace")
        {
            Description = "How long the nodes may drain after SIGTERM before the job is cancelled outright",
            DefaultValueFactory = _ => "60s",
        };
        var debug = DebugOption();
        var command = new Command("down", "Stop pilot jobs: their nodes get SIGTERM, drain and leave the scheduler; after --grace the jobs are cancelled (scancel)")
        {
            jobIds, grace, debug,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var given = parse.GetValue(jobIds) ?? [];
            if (given.FirstOrDefault(id => !SlurmOutput.IsJobId(id)) is { } bad)
            {
                return await FailAsync(2, $"slurm down: '{bad}' is not a Slurm job id").ConfigureAwait(false);
            }

            if (!SchedulerCommand.TryParseDuration(parse.GetValue(grace)!, out var patience) || patience < TimeSpan.Zero)
            {
                return await FailAsync(2, $"slurm down: --grace '{parse.GetValue(grace)}' is not a duration, such as 60s or 5m").ConfigureAwait(false);
            }

            using var logging = CliLogging.Create(parse.GetValue(debug));
            var launcher = new SlurmLauncher(logging.CreateLogger("FuncExec.Cli.Slurm"));
            try
            {
                return await new PilotStopper(launcher, TimeProvider.System).StopAsync(given, patience, Console.WriteLine, cancellationToken).ConfigureAwait(false)
                    ? 0 : 1;
            }
            catch (PilotLauncherMissingException ex)
            {
                return await FailAsync(2, $"slurm down: {ex.Message}").ConfigureAwait(false);
            }
            catch (PilotRefusedException ex)
            {
                return await FailAsync(1, $"slurm down: {ex.Message}").ConfigureAwait(false);
            }
        });
        return command;
    }

    /// <summary>The words that run funcexec on a compute host: the given program or dll, else this very build.</summary>
    private static IReadOnlyList<string> FuncexecCommand(string? funcexec, string? dotnet)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var runsOnDotnet = Path.GetFileNameWithoutExtension(host) == "dotnet";
        if (funcexec is not null)
        {
            return funcexec.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
                ? [dotnet ?? (runsOnDotnet ? host : "dotnet"), funcexec]
                : [funcexec];
        }

        // This build, at the same path: the compute hosts share this file system, as on most clusters.
        return runsOnDotnet ? [dotnet ?? host, LocalBuild.Current().FuncexecDll] : [host];
    }

    /// <summary>The secret a scheduler of this user on this machine generated, when <paramref name="address"/> is this machine; else null.</summary>
    private static async Task<string?> LocalSecretAsync(SchedulerAddress address, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(address.Host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            return null;
        }

        HashSet<IPAddress> local = [.. NetworkInterface.GetAllNetworkInterfaces().SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(a => a.Address)];
        if (!addresses.Any(a => IPAddress.IsLoopback(a) || local.Contains(a)))
        {
            return null;
        }

        try
        {
            return SchedulerStateFolder.TryReadSecret(SchedulerStateFolder.DefaultHome, address.Port);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            await Console.Error.WriteLineAsync($"slurm up: {ex.Message}").ConfigureAwait(false);
            return null;
        }
    }

    private static async Task<bool> IsLoopbackAsync(string host, CancellationToken cancellationToken)
    {
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            return addresses.Length > 0 && addresses.All(IPAddress.IsLoopback);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static List<string> NodeLogs(string directory, string jobId)
    {
        try
        {
            return Directory.EnumerateFiles(directory, $"pilot-{jobId}-*.log").Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>The last lines of a log, indented, when this machine can read it (a shared file system).</summary>
    private static async Task WriteTailAsync(string path, int lines = 5)
    {
        string[] text;
        try
        {
            text = await File.ReadAllLinesAsync(path).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"        (cannot read it here: {ex.Message})").ConfigureAwait(false);
            return;
        }

        foreach (var line in text.TakeLast(lines))
        {
            var shown = SlurmOutput.Printable(line);
            await Console.Error.WriteLineAsync("        " + (shown.Length > 300 ? shown[..300] + " ..." : shown)).ConfigureAwait(false);
        }
    }

    private static async Task<int> FailAsync(int code, string message)
    {
        await Console.Error.WriteLineAsync(message).ConfigureAwait(false);
        return code;
    }
}
