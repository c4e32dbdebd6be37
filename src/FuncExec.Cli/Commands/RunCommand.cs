using System.CommandLine;
using FuncExec.Cli.Output;
using FuncExec.Client;
using FuncExec.Core.Errors;
using FuncExec.Core.TaskFiles;
using FuncExec.Core.Tasks;
using FuncExec.Dashboard;
using FuncExec.Protocol.Connections;
using FuncExec.Scheduler.Queueing;
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
        var scheduler = new Option<string?>("--scheduler") { Description = "host:port of a running scheduler; without it, run on the embedded local cluster" };
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
            file, workers, order, output, debug, scheduler, profile, dashboard, dashboardPort,
        };
        security.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(file)!,
            parse.GetValue(workers),
            ParseOrder(parse.GetValue(order)!),
            parse.GetValue(output),
            parse.GetValue(debug),
            parse.GetValue(scheduler),
            parse.GetValue(profile),
            parse.GetValue(dashboard) ? new DashboardOptions { Port = parse.GetValue(dashboardPort) } : null,
            security.Read(parse),
            cancellationToken));
        return command;
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
        FileInfo? profileFile,
        DashboardOptions? dashboard,
        TransportSecurity security,
        CancellationToken cancellationToken)
    {
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
        ITaskRunner cluster;
        try
        {
            cluster = schedulerAddress is null
                ? await LocalCluster.StartAsync(
                    new LocalClusterOptions { Workers = workers, Order = order, LoggerFactory = logging, ProfilePath = profileFile?.FullName, Dashboard = dashboard },
                    cancellationToken).ConfigureAwait(false)
                : await RemoteCluster.ConnectAsync(schedulerAddress, new RemoteClusterOptions { Security = security, LoggerFactory = logging }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FuncExecException or ProtocolException or FormatException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"run: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        await using var owned = cluster;
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
                $"{taskFile.WidestTaskSource}: task '{taskFile.WidestTaskName}' asks for {taskFile.MaxCores} cores, but the cluster has "
                + $"{cluster.MaxTaskCores} workers; ask for at most {cluster.MaxTaskCores} or start more with --workers").ConfigureAwait(false);
            return 2;
        }

        var count = taskFile.Count;
        await using var stream = outputFile is null ? Console.OpenStandardOutput() : outputFile.Create();
        var showProgress = !Console.IsErrorRedirected && !debug;
        // A progress bar and result lines on one terminal would tear each other: hold lines till the end.
        var writer = new JsonLinesWriter(stream, count, buffered: showProgress && outputFile is null && !Console.IsOutputRedirected);
        var failed = 0;
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
                : cluster.RunAsync([.. taskFile.ReadTasks()], Finished, cancellationToken);
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
                var bar = context.AddTask($"{count} tasks on {workers} workers", maxValue: count);
                await run((_, _) => bar.Increment(1)).ConfigureAwait(false);
                var notSucceeded = failed();
                bar.Description = notSucceeded == 0 ? $"{count} tasks done" : $"{count} tasks done, {notSucceeded} did not succeed";
            }).ConfigureAwait(false);
    }
}
