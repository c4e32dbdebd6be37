using System.CommandLine;
using System.Globalization;
using FuncExec.Cli.Output;
using FuncExec.Cli.Telemetry;
using FuncExec.Client;
using FuncExec.Core.Platform;
using FuncExec.Core.Tasks;
using FuncExec.Core.Text;
using FuncExec.Dashboard;
using FuncExec.Node.Remote;
using FuncExec.Protocol.Connections;
using FuncExec.Scheduler.Queueing;
using FuncExec.TaskFiles;
using Spectre.Console;

using FuncExec.Cli.Profiles;

namespace FuncExec.Cli.Commands;

/// <summary><c>funcexec run FILE</c>: run a task file on the embedded local cluster.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "Task file (.yaml, .yml or .json)" };
        var workers = new Option<int>("--workers", "-w")
        {
            Description = "Worker processes: N, 0 for one per core, -N to keep N cores free",
            DefaultValueFactory = _ => 0,
        };
        var order = new Option<string>("--order")
        {
            Description = "Placement order: priority (higher priority first, then submission), fifo, fewest-cores-first",
            DefaultValueFactory = _ => "priority",
        };
        order.AcceptOnlyFromAmong("priority", "fifo", "fewest-cores-first");
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write the JSON Lines results to this file instead of standard output" };
        var debug = new Option<bool>("--debug", "-d") { Description = "Log debug messages to standard error" };
        var scheduler = new Option<string?>("--scheduler")
        {
            Description = "host:port of a running scheduler, or a list a:9700,b:9700 (a scheduler and its standbys, tried in turn); without it, run on the embedded local cluster",
        };
        var reattachTime = new Option<TimeSpan>("--reattach-time")
        {
            Description = "With --scheduler: how long to keep reconnecting when the connection to the scheduler drops (60s, 500ms, 2m; 0 to fail at once)",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(60),
            CustomParser = result => ParseDuration(result),
        };
        var profile = new Option<FileInfo?>("--profile") { Description = "Record a profile of the run to this CSV file (read it with 'funcexec report')" };
        var dashboard = new Option<bool>("--dashboard") { Description = "Serve the live web dashboard of the embedded cluster while the run lasts" };
        var dashboardPort = new Option<int>("--dashboard-port")
        {
            Description = "TCP port of the dashboard on 127.0.0.1 (0 picks a free one)",
            DefaultValueFactory = _ => DashboardOptions.DefaultPort,
        };
        var security = new SecurityOptions();
        var command = new Command("run", "Run a task file (on the embedded local cluster, or a scheduler's cluster); print one JSON line per task, in submission order")
        {
            file, workers, order, output, debug, scheduler, reattachTime, profile, dashboard, dashboardPort,
        };
        security.AddTo(command);
        var telemetry = new TelemetryOptions();
        telemetry.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(file)!,
            parse.GetValue(workers),
            ParseOrder(parse.GetValue(order)!),
            parse.GetValue(output),
            parse.GetValue(debug),
            parse.GetValue(scheduler),
            parse.GetValue(reattachTime),
            parse.GetValue(profile),
            parse.GetValue(dashboard) ? new DashboardOptions { Port = parse.GetValue(dashboardPort) } : null,
            security.Read(parse),
            telemetry.Read(parse),
            cancellationToken));
        return command;
    }

    /// <summary>Reads <c>60s</c>, <c>500ms</c>, <c>2m</c>, <c>1h</c> or a number of seconds; 0 or more.</summary>
    private static TimeSpan ParseDuration(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count == 0 ? "" : result.Tokens[0].Value.Trim();
        var (number, scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1.0),
            _ when text.EndsWith('m') => (text[..^1], 60.0),
            _ when text.EndsWith('h') => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };
        if (!double.TryParse(number, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
            || value < 0 || double.IsInfinity(value * scale) || value * scale > TimeSpan.FromDays(1).TotalSeconds)
        {
            result.AddError($"--reattach-time '{text}' is not a duration of 0 to 24h; write e.g. 60s, 500ms, 2m, or 0 to fail at once");
            return TimeSpan.Zero;
        }

        return TimeSpan.FromSeconds(value * scale);
    }

    private static TaskOrder ParseOrder(string order) => order switch
    {
        "fifo" => TaskOrder.Fifo,
        "fewest-cores-first" => TaskOrder.FewestCoresFirst,
        _ => TaskOrder.Priority,
    };

    private static async Task<int> RunAsync(
        FileInfo file,
        int workers,
        TaskOrder order,
        FileInfo? outputFile,
        bool debug,
        string? schedulerAddress,
        TimeSpan reattachTime,
        FileInfo? profileFile,
        DashboardOptions? dashboard,
        TransportSecurity security,
        CliTelemetrySettings telemetry,
        CancellationToken cancellationToken)
    {
        if (!OutputFile.CheckAll("run", ("--output", outputFile), ("--profile", profileFile)))
        {
            return 2;
        }

        // Checked whole now (a malformed file runs nothing), read again one task at a time as the tasks run.
        if (await TaskFileInput.OpenAsync(file).ConfigureAwait(false) is not { } taskFile)
        {
            return 2;
        }

        using var owningFile = taskFile;

        if (dashboard is not null && schedulerAddress is not null)
        {
            await Console.Error.WriteLineAsync(
                $"run: --dashboard serves the embedded cluster's; the scheduler at {schedulerAddress} serves its own (port {DashboardOptions.DefaultPort} unless it was started with --dashboard-port)").ConfigureAwait(false);
            dashboard = null;
        }

        using var logging = CliLogging.Create(debug);
        using var exporting = CliTelemetry.Start(telemetry, "funcexec-run");
        ICluster cluster;
        try
        {
            cluster = schedulerAddress is null
                ? await LocalCluster.StartAsync(
                    new LocalClusterOptions
                    {
                        Workers = NodeCommand.Workers("run", "--workers", workers, CpuAffinity.AvailableCores().Count, Console.Error),
                        Order = order,
                        LoggerFactory = logging,
                        ProfilePath = profileFile?.FullName,
                        Dashboard = dashboard,
                    },
                    cancellationToken).ConfigureAwait(false)
                : await RemoteCluster.ConnectAsync(
                    schedulerAddress, new RemoteClusterOptions { Security = security, LoggerFactory = logging, ReattachTime = reattachTime }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FuncExecException or PeerProtocolException or FormatException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"run: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        await using var owned = cluster;
        if (cluster is RemoteCluster reattaching)
        {
            reattaching.ConnectionLost += (address, reason) => Console.Error.WriteLine(
                $"run: lost the scheduler at {address} ({reason}); reconnecting for up to {Durations.Format(reattaching.ReattachTime)}");
            reattaching.Reattached += address => Console.Error.WriteLine($"run: reattached to {address}");
        }

        if (cluster is LocalCluster { DashboardUrl: { } url })
        {
            await Console.Error.WriteLineAsync($"dashboard: {url}").ConfigureAwait(false);
        }

        await using var remoteProfile = cluster is RemoteCluster remote && profileFile is not null ? RemoteProfile.Start(remote, profileFile.FullName) : null;
        if (cluster.WorkerCount == 0)
        {
            await Console.Error.WriteLineAsync(
                $"run: the scheduler at {schedulerAddress} has no nodes yet; the tasks wait until one joins (start one with 'funcexec node --scheduler {schedulerAddress}')").ConfigureAwait(false);
        }

        if (taskFile.MaxCores > cluster.MaxTaskCores)
        {
            await Console.Error.WriteLineAsync(
                $"{taskFile.WidestTaskSource}: task '{taskFile.WidestTaskName}' asks for {Plural.Of(taskFile.MaxCores, "core")}, but the cluster has "
                + $"{Plural.Of(cluster.MaxTaskCores, "worker")}; ask for at most {cluster.MaxTaskCores} or start more with --workers").ConfigureAwait(false);
            return 2;
        }

        var count = taskFile.Count;
        // Others may read the results as they come (a script following the run).
        Stream? opened = outputFile is null ? Console.OpenStandardOutput() : OutputFile.TryCreate("run", "--output", outputFile);
        if (opened is null)
        {
            return 2;
        }

        await using var stream = opened;
        var showProgress = !Console.IsErrorRedirected && !debug;
        // A progress bar and result lines on one terminal would tear each other: hold lines till the end.
        var writer = new JsonLinesWriter(stream, count, buffered: showProgress && outputFile is null && !Console.IsOutputRedirected);
        var failed = 0;
        // The tasks handed to a remote scheduler, for the names of those it never reported on.
        IReadOnlyList<TaskSpec>? remoteTasks = null;
        Task Run(Action<int, TaskReport> onFinished)
        {
            void Finished(int index, TaskReport report)
            {
                writer.Add(index, report);
                if (report.State != TaskState.Succeeded)
                {
                    Interlocked.Increment(ref failed);
                }

                onFinished(index, report);
            }

            // The embedded cluster takes the tasks as the file is read, a window at a time, and nothing keeps a
            // report once it is written; a remote scheduler is handed the whole file at once.
            return cluster is LocalCluster local
                ? local.RunAsync(taskFile.ReadTasks(), RunWindow, Finished, cancellationToken)
                : cluster.RunAsync(remoteTasks = [.. taskFile.ReadTasks()], Finished, cancellationToken);
        }

        try
        {
            if (showProgress)
            {
                await RunWithProgressAsync(cluster.WorkerCount, count, Run, () => failed).ConfigureAwait(false);
            }
            else
            {
                await Run(static (_, _) => { }).ConfigureAwait(false);
            }
        }
        catch (TaskFileException ex)
        {
            // Checked before anything ran; read again, it no longer holds.
            return await RunExit.FailedAsync(writer, "run", $"the task file changed while it ran: {ex.Message}").ConfigureAwait(false);
        }
        catch (SchedulerUnreachableException ex) when (cluster is RemoteCluster)
        {
            // The scheduler did not come back: every task is on a line, those never heard of as unknown.
            return await RunExit.SchedulerLostAsync(
                writer, i => remoteTasks is { } sent ? sent[i].Name : string.Empty, ex.TaskIds, "run", ex.Message).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FuncExecException)
        {
            // The scheduler refused the submission or went away: say so, keep what finished.
            return await RunExit.FailedAsync(writer, "run", ex.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: keep what finished; the workers die with the cluster.
            return await RunExit.InterruptedAsync(writer, count, "").ConfigureAwait(false);
        }

        return await RunExit.CompletedAsync(writer, count, failed).ConfigureAwait(false);
    }

    /// <summary>
    /// The most tasks of a file submitted to the embedded cluster and not yet finished. Priority order holds across
    /// this many tasks: a task further into the file is submitted only once all but this many before it have finished.
    /// About 0.5 KB each while queued.
    /// </summary>
    internal const int RunWindow = 100_000;

    private static async Task RunWithProgressAsync(int workers, int count, Func<Action<int, TaskReport>, Task> run, Func<int> failed)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var bar = context.AddTask($"{Plural.Of(count, "task")} on {Plural.Of(workers, "worker")}", maxValue: count);
                await run((_, _) => bar.Increment(1)).ConfigureAwait(false);
                var notSucceeded = failed();
                bar.Description = notSucceeded == 0 ? $"{Plural.Of(count, "task")} done" : $"{Plural.Of(count, "task")} done, {notSucceeded} did not succeed";
            }).ConfigureAwait(false);
    }
}
