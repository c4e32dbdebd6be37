using System.CommandLine;
using FuncExec.Cli.Output;
using FuncExec.Cli.Telemetry;
using FuncExec.Dashboard;
using FuncExec.Node.Remote;
using FuncExec.Protocol.Connections;
using FuncExec.Server;

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
        var security = new SecurityOptions();
        var command = new Command("scheduler", "Run the shared scheduler: nodes join it, clients submit to it")
        {
            ipAddr, extIpAddr, port, udpPort, name, pulse, destPath, maxFileSize, maxStoreSize, maxPendingUploads, maxInboundMemory, profile, debug, dashboardPort, dashboardIp, dashboardHost, noDashboard, insecure, stateDir,
            journal, noJournal, freshJournal, resultRetention, maxReattach,
        };
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

            using var logging = CliLogging.Create(parse.GetValue(debug) ? Microsoft.Extensions.Logging.LogLevel.Debug : Microsoft.Extensions.Logging.LogLevel.Information);
            using var exporting = CliTelemetry.Start(telemetry.Read(parse), "funcexec-scheduler");
            var dashboard = parse.GetValue(noDashboard) ? null : new DashboardOptions { IpAddr = parse.GetValue(dashboardIp)!, Port = parse.GetValue(dashboardPort), Hosts = parse.GetValue(dashboardHost) ?? [] };
            SchedulerServer server;
            try
            {
                server = await SchedulerServer.StartAsync(
                    new SchedulerServerOptions
                    {
                        IpAddr = parse.GetValue(ipAddr)!,
                        ExtIpAddr = parse.GetValue(extIpAddr),
                        Port = parse.GetValue(port),
                        UdpPort = parse.GetValue(udpPort),
                        Name = parse.GetValue(name)!,
                        PulseInterval = TimeSpan.FromSeconds(seconds),
                        DestPath = parse.GetValue(destPath)?.FullName,
                        MaxFileSize = parse.GetValue(maxFileSize),
                        MaxInboundMemory = parse.GetValue(maxInboundMemory),
                        MaxStoreSize = parse.GetValue(maxStoreSize),
                        MaxPendingUploads = parse.GetValue(maxPendingUploads),
                        ProfilePath = parse.GetValue(profile)?.FullName,
                        Security = transport,
                        Insecure = parse.GetValue(insecure),
                        StateDir = parse.GetValue(stateDir)?.FullName,
                        Dashboard = dashboard,
                        Journal = parse.GetValue(noJournal) ? null : parse.GetValue(journal) ?? string.Empty,
                        FreshJournal = parse.GetValue(freshJournal),
                        ResultRetention = retention,
                        MaxReattachTime = reattach,
                        DefaultReattachTime = reattach < TimeSpan.FromSeconds(60) ? reattach : TimeSpan.FromSeconds(60),
                    },
                    logging,
                    cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or InvalidDataException or Scheduler.Journal.JournalException or UnauthorizedAccessException)
            {
                // A port in use (the protocol's or the dashboard's), limits that do not fit together, or a
                // state folder or journal that cannot be used: the message names the option or file to change.
                await Console.Error.WriteLineAsync($"scheduler: {ex.Message}").ConfigureAwait(false);
                return 2;
            }

            await using var running = server;
            var stopped = Task.Delay(Timeout.Infinite, cancellationToken);
            if (await Task.WhenAny(stopped, server.JournalLost).ConfigureAwait(false) == server.JournalLost)
            {
                // The journal can no longer be written: stop at once, since a standby may already be taking over.
                await Console.Error.WriteLineAsync($"scheduler: the journal can no longer be written ({await server.JournalLost.ConfigureAwait(false)}); stopping").ConfigureAwait(false);
                return JournalLostExitCode;
            }

            // Ctrl+C or SIGTERM: stop serving.
            return 0;
        });
        return command;
    }

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
