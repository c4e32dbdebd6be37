using System.CommandLine;
using System.Globalization;
using FuncExec.Client;
using FuncExec.Node.Remote;
using FuncExec.Protocol.Connections;
using Google.Protobuf;
using Spectre.Console;

namespace FuncExec.Cli.Commands;

/// <summary><c>funcexec status</c>: what a scheduler sees now.</summary>
internal static class StatusCommand
{
    /// <summary>Writes every field, zeros too: the protobuf default leaves out worker 0, core 0 and
    /// an empty queue, which a script reading the JSON would take for missing fields.</summary>
    private static readonly JsonFormatter StatusJson = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static Command Create()
    {
        var scheduler = new Option<string>("--scheduler") { Description = "host:port of the scheduler, or a list a:9700,b:9700 (the first that answers)", DefaultValueFactory = _ => $"127.0.0.1:{SchedulerAddress.DefaultPort}" };
        var json = new Option<bool>("--json") { Description = "Print the status as one JSON object" };
        var security = new SecurityOptions();
        var command = new Command("status", "Show a scheduler's nodes (with the age of their last pulse), workers, queued and running tasks")
        {
            scheduler, json,
        };
        security.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                await using var cluster = await RemoteCluster.ConnectAsync(
                    parse.GetValue(scheduler)!, new RemoteClusterOptions { Security = security.Read(parse), ReattachTime = TimeSpan.Zero }, cancellationToken).ConfigureAwait(false);
                var status = await cluster.QueryStatusAsync(cancellationToken).ConfigureAwait(false);
                if (parse.GetValue(json))
                {
                    Console.WriteLine(StatusJson.Format(status));
                }
                else
                {
                    Print(status);
                }

                return 0;
            }
            catch (Exception ex) when (ex is FuncExecException or PeerProtocolException or FormatException)
            {
                await Console.Error.WriteLineAsync($"status: {ex.Message}").ConfigureAwait(false);
                return 2;
            }
        });
        return command;
    }

    private static void Print(FuncExec.Protocol.V1.StatusReply status)
    {
        // Spectre decides on escapes from TERM alone; a status piped to a file or a script gets plain text.
        var redirected = Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        console.MarkupLine($"scheduler [bold]{Markup.Escape(status.SchedulerName)}[/]: {status.Nodes.Count} nodes, "
            + $"{status.Nodes.Sum(n => n.Workers.Count)} workers, {status.Queued} queued, {status.Running.Count} running");
        var nodes = new Table().AddColumns("node", "address", "last pulse", "worker", "core", "state", "current task", "cpu");
        foreach (var node in status.Nodes)
        {
            var age = TimeSpan.FromMilliseconds(node.LastPulseAgeMs);
            var pulse = age.TotalSeconds < 10 ? string.Create(CultureInfo.InvariantCulture, $"{age.TotalSeconds:0.0} s ago") : string.Create(CultureInfo.InvariantCulture, $"[red]{age.TotalSeconds:0} s ago[/]");
            foreach (var worker in node.Workers)
            {
                nodes.AddRow(
                    Markup.Escape(node.Name),
                    Markup.Escape(node.Address),
                    worker.WorkerId == 0 ? pulse : string.Empty,
                    worker.WorkerId.ToString(CultureInfo.InvariantCulture),
                    worker.Core.ToString(CultureInfo.InvariantCulture),
                    worker.State,
                    worker.CurrentTask == 0 ? "-" : Markup.Escape($"{worker.CurrentTaskName} (#{worker.CurrentTask})"),
                    worker.CpuPercent < 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{worker.CpuPercent:0}%"));
            }
        }

        console.Write(nodes);
        if (status.Running.Count > 0)
        {
            var running = new Table().AddColumns("task", "id", "worker", "cores", "attempt");
            foreach (var task in status.Running)
            {
                running.AddRow(
                    Markup.Escape(task.Name),
                    task.Id.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(task.Worker),
                    string.Join(',', task.Cores),
                    task.Attempt.ToString(CultureInfo.InvariantCulture));
            }

            console.Write(running);
        }

        console.MarkupLine(status.Journal is { } journal
            ? Markup.Escape($"journal: {journal.Description}, {Size(journal.Bytes)}, {journal.Tasks} unfinished tasks, {journal.Results} results kept, "
                + $"oldest {Age(journal.OldestAgeMs)}, results kept {Age(journal.RetentionMs)} after delivery")
            : "journal: none (--no-journal): a restart of the scheduler loses queued tasks and undelivered results");
        if (status.RefusedNodeReports > 0 || status.RefusedClientRequests > 0)
        {
            // Peers that acted outside their role (see the scheduler's log for the first of each kind).
            console.MarkupLine($"[yellow]refused: {status.RefusedNodeReports} node reports, {status.RefusedClientRequests} client requests[/] (the scheduler's log names the peers)");
        }
    }

    private static string Size(long bytes) => bytes switch
    {
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.##} GiB"),
    };

    private static string Age(long ms)
    {
        var age = TimeSpan.FromMilliseconds(ms);
        return age.TotalSeconds switch
        {
            < 120 => string.Create(CultureInfo.InvariantCulture, $"{age.TotalSeconds:0} s"),
            < 7200 => string.Create(CultureInfo.InvariantCulture, $"{age.TotalMinutes:0} min"),
            < 172800 => string.Create(CultureInfo.InvariantCulture, $"{age.TotalHours:0.#} h"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{age.TotalDays:0.#} d"),
        };
    }
}
