using System.CommandLine;
using FuncExec.Cli.Output;
using FuncExec.Cli.Telemetry;
using FuncExec.Dashboard;
using FuncExec.Node.Remote;
using FuncExec.Hosting.Internal;
using FuncExec.Protocol.Connections;
using FuncExec.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncExec.Cli.Commands;

/// <summary><c>funcexec scheduler</c>: run the shared scheduler until stopped.</summary>
internal static class SchedulerCommand
{
    public static Command Create()
    {
        var ipAddr = new Option<string>("--ip-addr", "-i") { Description = "Address to listen on", DefaultValueFactory = _ => "0.0.0.0" };
        var extIpAddr = new Option<string?>("--ext-ip-addr") { Description = "Address nodes and clients should use, when it differs (NAT)" };
        var port = new Option<int>("--port", "-p") { Description = "TCP port for nodes and clients", DefaultValueFactory = _ => SchedulerAddress.DefaultPort };
        var udpPort = new Option<int>("--udp-port", "-u") { Description = "UDP port answering node discovery (0: off)", DefaultValueFactory = _ => SchedulerAddress.DefaultPort };
        var name = new Option<string>("--name", "-n") { Description = "Scheduler name", DefaultValueFactory = _ => Environment.MachineName };
        var pulse = new Option<double>("--pulse-interval") { Description = "Seconds between pulses; a node silent for 5 pulses is lost", DefaultValueFactory = _ => 2.0 };
        var destPath = new Option<DirectoryInfo?>("--dest-path") { Description = "Where components from clients are kept" };
        var maxFileSize = new Option<long>("--max-file-size") { Description = "Largest component file a client may upload, in bytes", DefaultValueFactory = _ => 10L * 1024 * 1024 };
        var maxInboundMemory = new Option<long>("--max-inbound-memory")
        {
            Description = "Most memory, in bytes, that partly received frames may hold across all connections",
            DefaultValueFactory = _ => new SchedulerServerOptions().MaxInboundMemory,
        };
        var maxStoreSize = new Option<long>("--max-store-size") { Description = "Most bytes of components kept in --dest-path; the least recently used ones no open computation uses go first", DefaultValueFactory = _ => 2L * 1024 * 1024 * 1024 };
        var maxPendingUploads = new Option<long>("--max-pending-uploads") { Description = "Most bytes one client may upload that no open computation of it uses yet", DefaultValueFactory = _ => 256L * 1024 * 1024 };
        var profile = new Option<FileInfo?>("--profile") { Description = "Record a profile of the run to this CSV file (read it with 'funcexec report')" };
        var debug = new Option<bool>("--debug", "-d") { Description = "Log debug messages" };
        var dashboardPort = new Option<int>("--dashboard-port") { Description = "TCP port of the web dashboard (0 picks a free one)", DefaultValueFactory = _ => DashboardOptions.DefaultPort };
        var dashboardIp = new Option<string>("--dashboard-ip") { Description = "Address the web dashboard listens on (loopback unless told otherwise)", DefaultValueFactory = _ => "127.0.0.1" };
        var dashboardHost = new Option<string[]>("--dashboard-host")
        {
            Description = "A host name the web dashboard answers to besides loopback names and its own address, such as this machine's DNS name (repeatable)",
            AllowMultipleArgumentsPerToken = false,
        };
        var noDashboard = new Option<bool>("--no-dashboard") { Description = "Serve no web dashboard" };
        var insecure = new Option<bool>("--insecure")
        {
            Description = "Run without a cluster secret: anyone who can reach the port can run any command as this user, and plain text is accepted from anywhere",
        };
        var stateDir = new Option<DirectoryInfo?>("--state-dir")
        {
            Description = "Folder for the generated secret and TLS certificate, in scheduler-PORT/ (default: $FUNCEXEC_HOME, else ~/.funcexec)",
        };
        var journal = new Option<string?>("--journal")
        {
            Description = "Where to keep the journal of tasks and results: a SQLite file, or a postgres:// URL (default: journal.db in the state folder)",
        };
        var noJournal = new Option<bool>("--no-journal") { Description = "Keep no journal: a restart of the scheduler loses queued tasks and undelivered results" };
        var freshJournal = new Option<bool>("--fresh-journal") { Description = "Move a corrupt, mismatched or missing journal aside and start a new, empty one" };
        var resultRetention = new Option<string>("--result-retention")
        {
            Description = "How long finished tasks' results stay readable with 'funcexec result' once delivered (e.g. 30m, 12h, 1d)",
            DefaultValueFactory = _ => "1d",
        };
        var maxReattach = new Option<string>("--max-reattach-time")
        {
            Description = "The longest a client may ask the scheduler to keep its work while it reconnects (e.g. 10m, 1h)",
            DefaultValueFactory = _ => "1h",
        };
        var config = CliHost.ConfigOption();
        var security = new SecurityOptions();
        // Each option that is a setting, and its key under Scheduler: (funcexec.json, FUNCEXEC_Scheduler__Port).
        var settings = new CommandSettings("Scheduler")
        {
            { ipAddr, "IpAddr" },
            { extIpAddr, "ExtIpAddr" },
            { port, "Port" },
            { udpPort, "UdpPort" },
            { name, "Name" },
            { pulse, "PulseInterval", seconds => TimeSpan.FromSeconds(seconds) },
            { destPath, "DestPath", dir => dir?.FullName },
            { maxFileSize, "MaxFileSize" },
            { maxStoreSize, "MaxStoreSize" },
            { maxPendingUploads, "MaxPendingUploads" },
            { maxInboundMemory, "MaxInboundMemory" },
            { profile, "ProfilePath", file => file?.FullName },
            { dashboardPort, "DashboardPort" },
            { dashboardIp, "DashboardIp" },
            { dashboardHost, "DashboardHosts" },
            { noDashboard, "Dashboard", none => !none },
            { insecure, "Insecure" },
            { stateDir, "StateDir", dir => dir?.FullName },
            { journal, "Journal" },
            { noJournal, "NoJournal" },
            { freshJournal, "FreshJournal" },
            { resultRetention, "ResultRetention", text => TryParseDuration(text, out var duration) ? duration : text },
            { maxReattach, "MaxReattachTime", text => TryParseDuration(text, out var duration) ? duration : text },
        };
        var command = new Command("scheduler", "Run the shared scheduler: nodes join it, clients submit to it") { debug, config };
        foreach (var option in settings)
        {
            command.Options.Add(option);
        }

        security.AddTo(command);
        var telemetry = new TelemetryOptions();
        telemetry.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!OutputFile.CheckAll("scheduler", ("--profile", parse.GetValue(profile))))
            {
                return 2;
            }

            TransportSecurity transport;
            try
            {
                transport = security.Read(parse);
                if (transport.UsesTls && transport.KeyFile is null)
                {
                    throw new ArgumentException("--certfile needs --keyfile on the scheduler");
                }

                if (parse.GetValue(insecure) && !string.IsNullOrEmpty(transport.Secret))
                {
                    throw new ArgumentException("--insecure runs without a secret, but one was given (--secret, --secret-file or FUNCEXEC_SECRET): drop one or the other");
                }
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or System.Security.Cryptography.CryptographicException)
            {
                await Console.Error.WriteLineAsync($"scheduler: {ex.Message}").ConfigureAwait(false);
                return 2;
            }

            if (parse.GetValue(pulse) is var seconds && seconds <= 0)
            {
                await Console.Error.WriteLineAsync("scheduler: --pulse-interval must be more than 0 seconds").ConfigureAwait(false);
                return 2;
            }

            foreach (var size in new[] { maxFileSize, maxStoreSize, maxPendingUploads })
            {
                if (parse.GetValue(size) <= 0)
                {
                    await Console.Error.WriteLineAsync($"scheduler: {size.Name} must be more than 0 bytes").ConfigureAwait(false);
                    return 2;
                }
            }

            if (parse.GetValue(noJournal) && (parse.GetValue(journal) is not null || parse.GetValue(freshJournal)))
            {
                await Console.Error.WriteLineAsync("scheduler: --no-journal keeps no journal, but --journal or --fresh-journal was given: drop one or the other").ConfigureAwait(false);
                return 2;
            }

            if (parse.GetValue(journal) is { } journalText && string.IsNullOrWhiteSpace(journalText))
            {
                await Console.Error.WriteLineAsync("scheduler: --journal needs a file path or a postgres:// URL").ConfigureAwait(false);
                return 2;
            }

            if (!TryParseDuration(parse.GetValue(resultRetention)!, out var retention) || retention <= TimeSpan.Zero)
            {
                await Console.Error.WriteLineAsync($"scheduler: --result-retention '{parse.GetValue(resultRetention)}' is not a duration above 0, such as 30m, 12h or 1d").ConfigureAwait(false);
                return 2;
            }

            if (!TryParseDuration(parse.GetValue(maxReattach)!, out var reattach) || reattach < TimeSpan.Zero)
            {
                await Console.Error.WriteLineAsync($"scheduler: --max-reattach-time '{parse.GetValue(maxReattach)}' is not a duration, such as 10m or 1h").ConfigureAwait(false);
                return 2;
            }

            using var exporting = CliTelemetry.Start(telemetry.Read(parse), "funcexec-scheduler");
            var given = settings.Given(parse).Concat(security.Settings("Scheduler", parse));
            return await CliHost.RunAsync(
                "scheduler",
                parse.GetValue(config),
                given,
                parse.GetValue(debug) ? LogLevel.Debug : LogLevel.Information,
                ShutdownTimeout,
                (builder, services) => services.AddFuncExecScheduler(builder.Configuration),
                async host =>
                {
                    // Until SIGTERM or Ctrl+C (the host's console lifetime), or the journal is lost.
                    await host.WaitForShutdownAsync().ConfigureAwait(false);
                    var scheduler = host.Services.GetRequiredService<SchedulerHost>();
                    if (scheduler.JournalLost.IsCompleted)
                    {
                        // The journal can no longer be written: stopped at once, since a standby may already be taking over.
                        await Console.Error.WriteLineAsync($"scheduler: the journal can no longer be written ({await scheduler.JournalLost.ConfigureAwait(false)}); stopping").ConfigureAwait(false);
                        return JournalLostExitCode;
                    }

                    return 0;
                }).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>How long the scheduler may take to stop (close its journal, stop listening) once told to.</summary>
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The exit code of a scheduler that stopped because it could no longer write its journal (its lease was lost).</summary>
    internal const int JournalLostExitCode = 3;

    /// <summary>Reads a duration: a number with a unit (<c>500ms</c>, <c>30s</c>, <c>10m</c>, <c>12h</c>, <c>1d</c>; seconds without one).</summary>
    internal static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        text = text.Trim();
        var (number, scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1.0),
            _ when text.EndsWith('m') => (text[..^1], 60.0),
            _ when text.EndsWith('h') => (text[..^1], 3600.0),
            _ when text.EndsWith('d') => (text[..^1], 86400.0),
            _ => (text, 1.0),
        };
        if (!double.TryParse(number, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
            || double.IsNaN(value) || double.IsInfinity(value) || value * scale > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(value * scale);
        return true;
    }
}
