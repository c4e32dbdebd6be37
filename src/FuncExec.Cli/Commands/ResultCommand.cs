using System.CommandLine;
using System.Text.Json;
using FuncExec.Client;
using FuncExec.Core.Tasks;
using FuncExec.Node.Remote;
using FuncExec.Protocol.Connections;

namespace FuncExec.Cli.Commands;

/// <summary><c>funcexec result ID...</c>: finished tasks' reports by id, from the scheduler's journal, after their client has gone.</summary>
/// <remarks>Prints each report as a JSON line, as <c>funcexec run</c> does, in the order asked; ids still running or
/// unknown are said on standard error. Exit code 0 when every id was found and succeeded, 1 otherwise, 2 for bad input or
/// no scheduler.</remarks>
internal static class ResultCommand
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var ids = new Argument<long[]>("id") { Description = "Task ids, as reports and funcexec status show them", Arity = ArgumentArity.OneOrMore };
        var scheduler = new Option<string>("--scheduler") { Description = "host:port of the scheduler", DefaultValueFactory = _ => $"127.0.0.1:{SchedulerAddress.DefaultPort}" };
        var security = new SecurityOptions();
        var command = new Command("result", "Print finished tasks' reports by id, from the scheduler's journal (kept for its --result-retention, a day by default)")
        {
            ids, scheduler,
        };
        security.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var asked = parse.GetValue(ids)!;
            if (asked.Any(id => id <= 0))
            {
                await Console.Error.WriteLineAsync($"result: task ids are above 0; {asked.First(id => id <= 0)} is not one").ConfigureAwait(false);
                return 2;
            }

            TaskResults results;
            try
            {
                await using var cluster = await RemoteCluster.ConnectAsync(
                    parse.GetValue(scheduler)!, new RemoteClusterOptions { Security = security.Read(parse) }, cancellationToken).ConfigureAwait(false);
                results = await cluster.GetResultsAsync(asked, anyClient: true, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is FuncExecException or PeerProtocolException or FormatException or IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"result: {ex.Message}").ConfigureAwait(false);
                return 2;
            }

            await using (var stdout = Console.OpenStandardOutput())
            {
                foreach (var report in results.Reports)
                {
                    Write(stdout, report);
                }
            }

            foreach (var id in results.Pending)
            {
                await Console.Error.WriteLineAsync($"result: task {id} has not finished yet (queued or running)").ConfigureAwait(false);
            }

            foreach (var id in results.Unknown)
            {
                await Console.Error.WriteLineAsync(
                    $"result: task {id} is unknown to the scheduler: never submitted, or finished longer ago than its --result-retention").ConfigureAwait(false);
            }

            if (results.Error is { } error)
            {
                await Console.Error.WriteLineAsync($"result: {error}").ConfigureAwait(false);
            }

            var allSucceeded = results.Pending.Count == 0 && results.Unknown.Count == 0 && results.Reports.All(r => r.State == TaskState.Succeeded);
            return allSucceeded ? 0 : 1;
        });
        return command;
    }

    private static void Write(Stream output, TaskReport report)
    {
        using (var json = new Utf8JsonWriter(output, WriterOptions))
        {
            json.WriteStartObject();
            TaskReportJson.WriteProperties(json, report);
            json.WriteEndObject();
        }

        output.WriteByte((byte)'\n');
        output.Flush();
    }
}
