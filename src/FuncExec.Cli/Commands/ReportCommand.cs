using System.CommandLine;
using System.Globalization;
using FuncExec.Core.Tasks;
using FuncExec.Core.Text;
using FuncExec.Reporting;
using Spectre.Console;

namespace FuncExec.Cli.Commands;

/// <summary><c>funcexec report run.csv</c>: a recorded profile's throughput and per-worker utilization, and an
/// HTML page with its charts.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var profile = new Argument<string>("profile") { Description = "A profile CSV, as --profile on run or scheduler writes it" };
        var html = new Option<string?>("--html") { Description = "Where to write the HTML report (default: beside the profile, with .html)" };
        var command = new Command("report", "Print a profile's throughput and per-worker utilization, and write a self-contained HTML report with its charts")
        {
            profile, html,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(profile)!;
            var output = parse.GetValue(html) ?? Path.ChangeExtension(path, ".html");
            if (!File.Exists(path))
            {
                await Console.Error.WriteLineAsync($"report: {path}: no such file").ConfigureAwait(false);
                return 2;
            }

            ProfileReport report;
            try
            {
                report = ProfileReport.Load(path);
            }
            catch (ProfileFormatException ex)
            {
                await Console.Error.WriteLineAsync($"report: {ex.Message}").ConfigureAwait(false);
                return 2;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"report: cannot read {path}: {ex.Message}").ConfigureAwait(false);
                return 2;
            }

            Print(report);
            try
            {
                await HtmlReport.WriteAsync(report, output, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"report: cannot write {output}: {ex.Message}").ConfigureAwait(false);
                return 2;
            }

            Console.WriteLine($"html: {output}");
            return 0;
        });
        return command;
    }

    private static void Print(ProfileReport report)
    {
        // Plain lines go straight out, unwrapped, so scripts can read them; only the table is Spectre's.
        var console = AnsiConsole.Console;
        var statuses = string.Join(", ", report.TasksByStatus.Where(p => p.Value > 0).Select(p => $"{p.Value} {p.Key.ToName()}"));
        Console.WriteLine($"{report.Path}: {Plural.Of(report.Tasks, "task")} finished{(statuses.Length > 0 ? $" ({statuses})" : string.Empty)}");
        Console.WriteLine($"span: {report.SpanDescription}");
        Console.WriteLine($"throughput: {ReportFormat.Throughput(report.Throughput)} tasks/s");
        if (report.Workers.Count == 0)
        {
            Console.WriteLine("no workers in the profile");
            return;
        }

        var table = new Table().AddColumns(
            new TableColumn("worker"), new TableColumn("core").RightAligned(), new TableColumn("tasks").RightAligned(),
            new TableColumn("busy").RightAligned(), new TableColumn("utilization").RightAligned(), new TableColumn("deaths").RightAligned());
        foreach (var worker in report.Workers)
        {
            table.AddRow(
                Markup.Escape(worker.Worker),
                worker.Core?.ToString(CultureInfo.InvariantCulture) ?? "-",
                worker.Tasks.ToString(CultureInfo.InvariantCulture),
                ReportFormat.Seconds(worker.Busy),
                ReportFormat.Percent(worker.Utilization),
                worker.Deaths.ToString(CultureInfo.InvariantCulture));
        }

        console.Write(table);
        Console.WriteLine($"mean utilization: {ReportFormat.Percent(report.MeanUtilization)} over {Plural.Of(report.Workers.Count, "worker")}");
    }
}
