using System.CommandLine;
using System.Globalization;
using FuncExec.Client;
using FuncExec.Core.Platform;
using FuncExec.Node.Remote;
using FuncExec.Protocol.Connections;
using FuncExec.Cli.Output;
using FuncExec.Core.Text;
using Spectre.Console;

namespace FuncExec.Cli.Commands;

/// <summary><c>funcexec status</c>: what a scheduler sees now.</summary>
internal static class StatusCommand
{
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
                var status = await cluster.QueryStatusAsync(journal: true, cancellationToken).ConfigureAwait(false);
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

    private static void Print(FuncExec.Protocol.V1.StatusReply status) =>
        Print(status, CreateConsole(Console.Out, Console.IsOutputRedirected, Environment.GetEnvironmentVariable("COLUMNS")));

    /// <summary>The console <c>status</c> writes to. Spectre decides on escapes from TERM alone, so output piped to a
    /// file or a script gets plain text; and there it would wrap every line at 80 columns, so a pipe gets the width
    /// <c>COLUMNS</c> says, or one wide enough that no line wraps.</summary>
    internal static IAnsiConsole CreateConsole(TextWriter output, bool redirected, string? columns)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Out = new AnsiConsoleOutput(output),
        });
        if (int.TryParse(columns, System.Globalization.NumberStyles.None, CultureInfo.InvariantCulture, out var width) && width > 0)
        {
            console.Profile.Width = width;
        }
        else if (redirected)
        {
            console.Profile.Width = UnwrappedWidth;
        }

        return console;
    }

    /// <summary>Wider than any status line, so a redirected status keeps each line whole.</summary>
    private const int UnwrappedWidth = 4096;

    internal static void Print(FuncExec.Protocol.V1.StatusReply status, IAnsiConsole console)
    {
        console.MarkupLine($"scheduler [bold]{Markup.Escape(status.SchedulerName)}[/]: {Plural.Of(status.Nodes.Count, "node")}, "
            + $"{Plural.Of(status.Nodes.Sum(n => n.Workers.Count), "worker")}, {status.Queued} queued{(status.Queued > 0 ? $" ({Plural.Of(status.QueuedCores, "core")} asked)" : string.Empty)}, {status.Running.Count} running, "
            + $"{Plural.Of(status.Clients, "client")} (this one included)");
        var nodes = new Table().AddColumns("node", "address", "last pulse", "worker", "core", "state", "current task", "cpu");
        foreach (var node in status.Nodes)
        {
            var age = Milliseconds(node.LastPulseAgeMs);
            var pulse = age.TotalSeconds < 10 ? $"{Durations.Format(age)} ago" : $"[red]{Durations.Format(age)} ago[/]";
            if (node.Idle)
            {
                pulse += $", idle {Durations.Format(Milliseconds(node.IdleMs))}";
            }

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
                    CpuAffinity.FormatList(task.Cores),
                    task.Attempt.ToString(CultureInfo.InvariantCulture));
            }

            console.Write(running);
        }

        console.MarkupLine(status.Journal is { } journal
            ? Markup.Escape($"journal: {journal.Description}, {Size(journal.Bytes)}, {Plural.Of(journal.Tasks, "unfinished task")}, {Plural.Of(journal.Results, "result")} kept, "
                + $"oldest {Durations.Format(Milliseconds(journal.OldestAgeMs))}, results kept {Durations.Format(Milliseconds(journal.RetentionMs))} after delivery")
            : "journal: none (--no-journal): a restart of the scheduler loses queued tasks and undelivered results");
        foreach (var note in status.Scaling)
        {
            var when = UnixTime.FromMicroseconds(note.TimeUnixUs) is { } time ? time.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture) : "-";
            console.MarkupLine(Markup.Escape($"scaling {when} ({note.Client}): {note.Text}"));
        }

        if (status.RefusedNodeReports > 0 || status.RefusedClientRequests > 0)
        {
            // Peers that acted outside their role (see the scheduler's log for the first of each kind).
            console.MarkupLine($"[yellow]refused: {Plural.Of(status.RefusedNodeReports, "node report")}, {Plural.Of(status.RefusedClientRequests, "client request")}[/] (the scheduler's log names the peers)");
        }
    }

    private static string Size(long bytes) => bytes switch
    {
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.##} GiB"),
    };

    /// <summary>A duration the scheduler sent, as a <see cref="TimeSpan"/>: taken as zero to 1,000 years, so a value
    /// from a scheduler that is not what it claims cannot overflow it.</summary>
    private static TimeSpan Milliseconds(long milliseconds) => TimeSpan.FromMilliseconds(Math.Clamp(milliseconds, 0, 1000L * 365 * 24 * 60 * 60 * 1000));
}
