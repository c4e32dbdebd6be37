using System.Globalization;
using FuncExec.Core.Text;
using FuncExec.Reporting;
using Spectre.Console;

namespace FuncExec.Cli.Bench;

/// <summary>Runs every cell of the matrix on a target, workers count by workers count, showing progress on standard
/// error: a progress bar on a terminal, one line per cell otherwise.</summary>
internal sealed class BenchMatrixRunner(IBenchTarget target, BenchSettings settings)
{
    private int Steps => settings.Workers.Count * (1 + (settings.Clients.Count * settings.Repeat));

    public async Task<IReadOnlyList<BenchCell>> RunAsync(CancellationToken cancellationToken)
    {
        if (Console.IsErrorRedirected)
        {
            return await RunCellsAsync(_ => { }, (line, _) => Console.Error.WriteLine(line), cancellationToken).ConfigureAwait(false);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        IReadOnlyList<BenchCell> cells = [];
        await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var bar = context.AddTask("starting", maxValue: Steps);
                cells = await RunCellsAsync(
                    status => bar.Description = Markup.Escape(status),
                    (line, step) =>
                    {
                        console.MarkupLine(Markup.Escape(line));
                        bar.Increment(step);
                    },
                    cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return cells;
    }

    /// <param name="status">Hears what runs now.</param>
    /// <param name="done">Hears a line for each finished step, and how many steps it was.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    private async Task<IReadOnlyList<BenchCell>> RunCellsAsync(Action<string> status, Action<string, int> done, CancellationToken cancellationToken)
    {
        var cells = new List<BenchCell>();
        var maxClients = settings.Clients[^1];
        foreach (var workers in settings.Workers)
        {
            status($"{Workers(workers)}: starting, warming up");
            var warm = await target.UseWorkersAsync(workers, maxClients, cancellationToken).ConfigureAwait(false);
            Check(warm, $"warming up {Workers(workers)}");
            done($"{Workers(workers)}: warmed up in {warm.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s", 1);
            foreach (var clients in settings.Clients)
            {
                var runs = new List<TimeSpan>();
                for (var run = 1; run <= settings.Repeat; run++)
                {
                    status($"{Workers(workers)}, {Clients(clients)}" + (settings.Repeat > 1 ? $", run {run} of {settings.Repeat}" : string.Empty));
                    var result = await target.RunCellAsync(clients, settings.Tasks, cancellationToken).ConfigureAwait(false);
                    Check(result, $"{Workers(workers)}, {Clients(clients)}");
                    runs.Add(result.Elapsed);
                    if (run < settings.Repeat)
                    {
                        done(Line(new BenchCell(workers, clients, settings.Tasks, result.Elapsed.TotalSeconds), $" (run {run} of {settings.Repeat})"), 1);
                    }
                }

                // The median run; of an even count, the faster of the two middle ones.
                var median = runs.Order().ElementAt((runs.Count - 1) / 2);
                var cell = new BenchCell(workers, clients, settings.Tasks, median.TotalSeconds);
                cells.Add(cell);
                done(Line(cell, settings.Repeat > 1 ? $" (median of {settings.Repeat})" : string.Empty), 1);
            }
        }

        return cells;
    }

    private static void Check(CellRun run, string what)
    {
        if (run.Error is { } error)
        {
            throw new BenchRunException($"{what}: {error}");
        }
    }

    private static string Line(BenchCell cell, string suffix) => string.Create(
        CultureInfo.InvariantCulture,
        $"{Workers(cell.Workers)}, {Clients(cell.Clients)}: {cell.Tasks:N0} tasks in {cell.Seconds:0.000} s, {cell.TasksPerSecond:N0} tasks/s{suffix}");

    private static string Workers(int workers) => Plural.Of(workers, "worker");

    private static string Clients(int clients) => Plural.Of(clients, "client");
}
