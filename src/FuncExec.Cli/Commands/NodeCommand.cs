using System.CommandLine;
using System.Globalization;
using FuncExec.Cli.Telemetry;
using FuncExec.Core.Platform;
using FuncExec.Core.Text;
using FuncExec.Hosting.Internal;
using FuncExec.Node;
using FuncExec.Node.Remote;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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
        var drainTimeout = new Option<string>("--drain-timeout")
        {
            Description = "On SIGTERM or Ctrl+C, how long running tasks may finish while the node takes no new ones (e.g. 30s, 5m); those still running then are killed and queued again elsewhere, without using an attempt",
            DefaultValueFactory = _ => "30s",
        };
        var config = CliHost.ConfigOption();
        var security = new SecurityOptions();
        // Each option that is a setting, and its key under Node: (funcexec.json, FUNCEXEC_Node__Cpus).
        var settings = new CommandSettings("Node")
        {
            { cpus, "Cpus" },
            { scheduler, "Scheduler" },
            { ipAddr, "IpAddr" },
            { extIpAddr, "ExtIpAddr" },
            { udpPort, "UdpPort" },
            { name, "Name" },
            { destPath, "DestPath", dir => dir?.FullName },
            { maxFileSize, "MaxFileSize" },
            { maxStoreSize, "MaxStoreSize" },
            { drainTimeout, "DrainTimeout", text => SchedulerCommand.TryParseDuration(text, out var duration) ? duration : text },
        };
        var command = new Command("node", "Start one worker per core, each pinned to its core, and join a scheduler") { debug, config };
        foreach (var option in settings)
        {
            command.Options.Add(option);
        }

        security.AddTo(command);
        var telemetry = new TelemetryOptions(servesMetrics: true);
        telemetry.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                if (parse.GetValue(scheduler) is { } text)
                {
                    _ = SchedulerAddress.ParseList(text);
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

            if (!SchedulerCommand.TryParseDuration(parse.GetValue(drainTimeout)!, out var drain) || drain < TimeSpan.Zero)
            {
                await Console.Error.WriteLineAsync($"node: --drain-timeout '{parse.GetValue(drainTimeout)}' is not a duration, such as 30s or 5m").ConfigureAwait(false);
                return 2;
            }

            // -N keeping back every core: said here as the command's own warning, and 1 worker started.
            var given = settings.Given(parse)
                .Select(s => s.Key == "Node:Cpus" ? new(s.Key, Workers("node", "-c", parse.GetValue(cpus), CpuAffinity.AvailableCores().Count, Console.Error).ToString(CultureInfo.InvariantCulture)) : s)
                .Concat(security.Settings("Node", parse))
                .ToList();

            // The node outlives its workers: what a worker that died had adopted from its tasks comes to the
            // node, which ends it (see OrphanReaper). Only this process: an embedded cluster leaves its host as it is.
            OrphanReaper.Become();
            using var exporting = CliTelemetry.TryStart(telemetry.Read(parse), "funcexec-node", "node");
            if (exporting is null)
            {
                return 2;
            }

            return await CliHost.RunAsync(
                "node",
                parse.GetValue(config),
                given,
                parse.GetValue(debug) ? LogLevel.Debug : LogLevel.Information,
                ShutdownMargin,
                (builder, services) =>
                {
                    services.AddFuncExecNode(builder.Configuration);
                    // The host waits for the drain (whatever layer set its time), then for the workers to end.
                    services.AddOptions<HostOptions>().Configure<IOptions<FuncExecNodeOptions>>(
                        (host, node) => host.ShutdownTimeout = node.Value.DrainTimeout + ShutdownMargin);
                },
                async host =>
                {
                    // Until SIGTERM or Ctrl+C (the host's console lifetime): then the node drains and stops.
                    await host.WaitForShutdownAsync().ConfigureAwait(false);
                    // Workers that could not start end the node as they did before it ran on the host.
                    await host.Services.GetRequiredService<NodeHost>().Completion.ConfigureAwait(false);
                    return 0;
                }).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>How long a node may take to stop its workers and leave, beyond its drain.</summary>
    private static readonly TimeSpan ShutdownMargin = TimeSpan.FromSeconds(30);

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
