using System.CommandLine;
using System.Globalization;
using FuncExec.Cli.Bench;
using FuncExec.Cli.Output;
using FuncExec.Client;
using FuncExec.Core.Text;
using FuncExec.Protocol.Connections;
using FuncExec.Reporting;
using Spectre.Console;

namespace FuncExec.Cli.Commands;

/// <summary><c>funcexec bench</c>: the seed's benchmark matrix. Throughput of tiny (or spinning) tasks for every
/// pair of a workers count and a clients count, printed as a table and written as CSV and an HTML chart.</summary>
/// <remarks>
/// A cell runs <c>--tasks</c> tasks in all, split evenly across its clients, which submit at once; its throughput
/// is the tasks completed divided by the wall time from the first submission to the last result. Every task returns
/// its own argument and every result is checked. Each workers count gets a fresh embedded cluster (or, with
/// <c>--scheduler</c>, the first w workers of the scheduler's cluster), warmed up before the first timed cell.
/// </remarks>
internal static class BenchCommand
{
    public static Command Create()
    {
        var clients = new Option<string>("--clients", "-c")
        {
            Description = "Clients submitting at once: a count (2), a range (1..4) or a list (1,2,4)",
            DefaultValueFactory = _ => "1..4",
        };
        var workers = new Option<string>("--workers", "-w")
        {
            Description = "Workers: a count, a range (1..4) or a list (1,2,4); each gets its own embedded cluster, or the first w workers of --scheduler's",
            DefaultValueFactory = _ => "1..4",
        };
        var tasks = new Option<int>("--tasks", "-n")
        {
            Description = "Tasks per cell, split evenly across its clients",
            DefaultValueFactory = _ => 20_000,
        };
        var task = new Option<string>("--task")
        {
            Description = "The task: noop (returns its argument) or spin:MS (spins until it has used MS milliseconds of CPU, then returns its argument)",
            DefaultValueFactory = _ => "noop",
        };
        var repeat = new Option<int>("--repeat", "-r")
        {
            Description = "Runs per cell; a cell reports its median run",
            DefaultValueFactory = _ => 1,
        };
        var scheduler = new Option<string?>("--scheduler") { Description = "host:port of a running scheduler; without it, run on embedded local clusters" };
        var csv = new Option<FileInfo>("--csv")
        {
            Description = "Where to write the results as CSV (workers,clients,tasks,seconds,tasks_per_second)",
            DefaultValueFactory = _ => new FileInfo("bench.csv"),
        };
        var html = new Option<FileInfo>("--html")
        {
            Description = "Where to write the HTML page with the chart and the table",
            DefaultValueFactory = _ => new FileInfo("bench.html"),
        };
        var security = new SecurityOptions();
        var command = new Command("bench", "Run the benchmark matrix: throughput for every workers count and clients count; print a table, write CSV and an HTML chart")
        {
            clients, workers, tasks, task, repeat, scheduler, csv, html,
        };
        security.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            BenchSettings settings;
            try
            {
                settings = new BenchSettings(
                    Axis(clients.Name, parse.GetValue(clients)!),
                    Axis(workers.Name, parse.GetValue(workers)!),
                    Positive(tasks.Name, parse.GetValue(tasks)),
                    ParseTask(task.Name, parse.GetValue(task)!),
                    Positive(repeat.Name, parse.GetValue(repeat)),
                    parse.GetValue(scheduler),
                    security.Read(parse),
                    parse.GetValue(csv)!,
                    parse.GetValue(html)!);
                if (settings.Tasks < settings.Clients[^1])
                {
                    throw new FormatException($"--tasks: {Plural.Of(settings.Tasks, "task")} cannot be split across {Plural.Of(settings.Clients[^1], "client")}; give at least {settings.Clients[^1]}");
                }
            }
            catch (FormatException ex)
            {
                await Console.Error.WriteLineAsync($"bench: {ex.Message}").ConfigureAwait(false);
                return 2;
            }

            if (!OutputFile.CheckAll("bench", ("--csv", settings.Csv), ("--html", settings.Html)))
            {
                return 2;
            }

            return await RunAsync(settings, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static IReadOnlyList<int> Axis(string option, string text)
    {
        try
        {
            return BenchAxis.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new FormatException($"{option}: {ex.Message}", ex);
        }
    }

    private static BenchTask ParseTask(string option, string text)
    {
        try
        {
            return BenchTask.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new FormatException($"{option}: {ex.Message}", ex);
        }
    }

    private static int Positive(string option, int value) =>
        value >= 1 ? value : throw new FormatException($"{option}: {value.ToString(CultureInfo.InvariantCulture)} is not allowed; give at least 1");

    private static async Task<int> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        IBenchTarget target;
        if (settings.Scheduler is { } address)
        {
            RemoteBenchTarget remote;
            try
            {
                remote = await RemoteBenchTarget.ConnectAsync(
                    address, new RemoteClusterOptions { Security = settings.Security }, settings.Clients[^1], settings.Task, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is FuncExecException or PeerProtocolException or FormatException or IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"bench: {ex.Message}").ConfigureAwait(false);
                return 2;
            }

            if (remote.AllWorkers.Count < settings.Workers[^1])
            {
                var have = remote.AllWorkers.Count;
                await Console.Error.WriteLineAsync(
                    $"bench: --workers asks for up to {Plural.Of(settings.Workers[^1], "worker")}, but the cluster of the scheduler at {address} has {have}; "
                    + (have == 0 ? "start a node ('funcexec node --scheduler " + address + "')" : $"give --workers 1..{have}, or start more nodes")).ConfigureAwait(false);
                await remote.DisposeAsync().ConfigureAwait(false);
                return 2;
            }

            target = remote;
        }
        else
        {
            if (settings.Workers[^1] > Environment.ProcessorCount)
            {
                await Console.Error.WriteLineAsync(
                    $"bench: note: this machine has {Plural.Of(Environment.ProcessorCount, "core")}; clusters of more workers share cores round-robin").ConfigureAwait(false);
            }

            target = new EmbeddedBenchTarget(settings.Task);
        }

        await using (target.ConfigureAwait(false))
        {
            IReadOnlyList<BenchCell> cells;
            try
            {
                cells = await new BenchMatrixRunner(target, settings).RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (BenchRunException ex)
            {
                await Console.Error.WriteLineAsync($"bench: {ex.Message}").ConfigureAwait(false);
                return 1;
            }
            catch (FuncExecException ex)
            {
                await Console.Error.WriteLineAsync($"bench: {ex.Message}").ConfigureAwait(false);
                return 1;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync("bench: interrupted; nothing written").ConfigureAwait(false);
                return 130;
            }

            var matrix = new BenchMatrix
            {
                Cluster = target.Description,
                Task = settings.Task.Name,
                TasksPerCell = settings.Tasks,
                Repeat = settings.Repeat,
                Cells = cells,
            };
            Print(matrix);
            return await WriteAsync(matrix, settings, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void Print(BenchMatrix matrix)
    {
        // Plain lines go straight out, unwrapped, so scripts can read them; only the table is Spectre's.
        Console.WriteLine(BenchReport.Description(matrix));
        Console.WriteLine("tasks/s (rows: workers, columns: clients)");
        var table = new Table().AddColumn(new TableColumn("workers").RightAligned());
        foreach (var clients in matrix.Clients)
        {
            table.AddColumn(new TableColumn(Plural.Of(clients, "client")).RightAligned());
        }

        foreach (var workers in matrix.Workers)
        {
            table.AddRow([
                workers.ToString(CultureInfo.InvariantCulture),
                .. matrix.Clients.Select(c => matrix.Cell(workers, c) is { } cell ? cell.TasksPerSecond.ToString("N0", CultureInfo.InvariantCulture) : "-"),
            ]);
        }

        AnsiConsole.Console.Write(table);
    }

    private static async Task<int> WriteAsync(BenchMatrix matrix, BenchSettings settings, CancellationToken cancellationToken)
    {
        foreach (var (file, write) in new (FileInfo, Func<BenchMatrix, string, CancellationToken, Task>)[]
        {
            (settings.Csv, BenchCsv.WriteAsync),
            (settings.Html, BenchReport.WriteAsync),
        })
        {
            try
            {
                await write(matrix, file.FullName, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"bench: cannot write {file.FullName}: {ex.Message}").ConfigureAwait(false);
                return 2;
            }
        }

        Console.WriteLine($"csv: {settings.Csv.FullName}");
        Console.WriteLine($"html: {settings.Html.FullName}");
        return 0;
    }
}
