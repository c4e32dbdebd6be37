using System.CommandLine;
using FuncExec.Cli.Telemetry;
using FuncExec.Core.Platform;
using FuncExec.Core.Text;
using FuncExec.Node;
using FuncExec.Node.Remote;

namespace FuncExec.Cli.Commands;

/// <summary><c>funcexec node</c>: start one pinned worker per core and join a scheduler.</summary>
internal static class NodeCommand
{
    public static Command Create()
    {
        var cpus = new Option<int>("--cpus", "-c")
        {
            Description = "Workers: N starts N, 0 (default) one per core, -N all cores but N",
            DefaultValueFactory = _ => 0,
        };
        var scheduler = new Option<string?>("--scheduler")
        {
            Description = "host:port of the scheduler, or a comma-separated list of a scheduler and its standbys (a:9700,b:9700), tried in turn; without it, find one by UDP broadcast",
        };
        var ipAddr = new Option<string?>("--ip-addr", "-i") { Description = "Local address of this node" };
        var extIpAddr = new Option<string?>("--ext-ip-addr") { Description = "Address others should use for this node (NAT)" };
        var udpPort = new Option<int>("--udp-port", "-u") { Description = "UDP port for scheduler discovery", DefaultValueFactory = _ => SchedulerAddress.DefaultPort };
        var name = new Option<string>("--name", "-n") { Description = "Node name", DefaultValueFactory = _ => Environment.MachineName };
        var destPath = new Option<DirectoryInfo?>("--dest-path") { Description = "Where components are cached" };
        var maxFileSize = new Option<long>("--max-file-size") { Description = "Largest component file accepted, in bytes", DefaultValueFactory = _ => 10L * 1024 * 1024 };
        var maxStoreSize = new Option<long>("--max-store-size") { Description = "Most bytes of components cached in --dest-path; the least recently used ones no open computation uses go first", DefaultValueFactory = _ => 2L * 1024 * 1024 * 1024 };
        var debug = new Option<bool>("--debug", "-d") { Description = "Log debug messages" };
        var security = new SecurityOptions();
        var command = new Command("node", "Start one worker per core, each pinned to its core, and join a scheduler")
        {
            cpus, scheduler, ipAddr, extIpAddr, udpPort, name, destPath, maxFileSize, maxStoreSize, debug,
        };
        security.AddTo(command);
        var telemetry = new TelemetryOptions(servesMetrics: true);
        telemetry.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            IReadOnlyList<SchedulerAddress> addresses = [];
            try
            {
                if (parse.GetValue(scheduler) is { } text)
                {
                    addresses = SchedulerAddress.ParseList(text);
                }
            }
            catch (FormatException ex)
            {
                await Console.Error.WriteLineAsync($"node: {ex.Message}").ConfigureAwait(false);
                return 2;
            }

            if (parse.GetValue(maxStoreSize) <= 0)
            {
                await Console.Error.WriteLineAsync("node: --max-store-size must be more than 0 bytes").ConfigureAwait(false);
                return 2;
            }

            var dest = parse.GetValue(destPath)?.FullName;
            if (dest is not null)
            {
                try
                {
                    Directory.CreateDirectory(dest);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    await Console.Error.WriteLineAsync($"node: --dest-path {dest} cannot be used: {ex.Message}").ConfigureAwait(false);
                    return 2;
                }
            }

            // The node outlives its workers: what a worker that died had adopted from its tasks comes to the
            // node, which ends it (see OrphanReaper). Only this process: an embedded cluster leaves its host as it is.
            OrphanReaper.Become();
            using var logging = CliLogging.Create(parse.GetValue(debug) ? Microsoft.Extensions.Logging.LogLevel.Debug : Microsoft.Extensions.Logging.LogLevel.Information);
            using var exporting = CliTelemetry.TryStart(telemetry.Read(parse), "funcexec-node", "node");
            if (exporting is null)
            {
                return 2;
            }

            await using var agent = new NodeAgent(
                new NodeAgentOptions
                {
                    Schedulers = addresses,
                    UdpPort = parse.GetValue(udpPort),
                    IpAddr = parse.GetValue(ipAddr),
                    ExtIpAddr = parse.GetValue(extIpAddr),
                    MaxFileSize = parse.GetValue(maxFileSize),
                    Security = security.Read(parse),
                    Node = new NodeOptions
                    {
                        Name = parse.GetValue(name)!,
                        Workers = Workers("node", "-c", parse.GetValue(cpus), CpuAffinity.AvailableCores().Count, Console.Error),
                        DestPath = dest,
                        MaxStoreSize = parse.GetValue(maxStoreSize),
                    },
                },
                logging);
            try
            {
                await agent.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or SIGTERM.
            }

            return 0;
        });
        return command;
    }

    /// <summary>The worker count to start for <paramref name="requested"/> (N, 0 for one per core, -N to keep N cores back)
    /// on <paramref name="cores"/> cores. When -N keeps back every core, says so on <paramref name="error"/> and gives 1.</summary>
    internal static int Workers(string verb, string option, int requested, int cores, TextWriter error)
    {
        if (!WorkerCount.KeepsBackAll(requested, cores))
        {
            return requested;
        }

        error.WriteLine($"{verb}: warning: {option} {requested} keeps {Plural.Of(-(long)requested, "core")} back, "
            + $"but this machine has {Plural.Of(cores, "core")}; starting 1 worker");
        return 1;
    }
}
