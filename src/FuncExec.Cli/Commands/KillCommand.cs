using System.CommandLine;
using FuncExec.Client;
using FuncExec.Node.Remote;
using FuncExec.Protocol.Connections;

namespace FuncExec.Cli.Commands;

/// <summary><c>funcexec kill ID...</c>: kill tasks on a scheduler's cluster by id (as <c>status</c> shows them).</summary>
internal static class KillCommand
{
    public static Command Create()
    {
        var ids = new Argument<long[]>("id") { Description = "Task ids, as funcexec status shows them", Arity = ArgumentArity.OneOrMore };
        var scheduler = new Option<string>("--scheduler") { Description = "host:port of the scheduler, or a list a:9700,b:9700 (the first that answers)", DefaultValueFactory = _ => $"127.0.0.1:{SchedulerAddress.DefaultPort}" };
        var security = new SecurityOptions();
        var command = new Command("kill", "Kill tasks by id: a queued task ends at once, a running one's worker is killed and replaced; its client gets the report")
        {
            ids, scheduler,
        };
        security.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                await using var cluster = await RemoteCluster.ConnectAsync(
                    parse.GetValue(scheduler)!, new RemoteClusterOptions { Security = security.Read(parse), ReattachTime = TimeSpan.Zero }, cancellationToken).ConfigureAwait(false);
                var missing = 0;
                foreach (var id in parse.GetValue(ids)!)
                {
                    var outcome = await cluster.KillAsync(id, cancellationToken).ConfigureAwait(false);
                    Console.WriteLine(outcome switch
                    {
                        "killed" => $"{id}: killed (it was queued)",
                        "sent" => $"{id}: being killed on its worker",
                        _ => $"{id}: no such task queued or running",
                    });
                    missing += outcome == "not-found" ? 1 : 0;
                }

                return missing == 0 ? 0 : 1;
            }
            catch (Exception ex) when (ex is FuncExecException or PeerProtocolException or FormatException)
            {
                await Console.Error.WriteLineAsync($"kill: {ex.Message}").ConfigureAwait(false);
                return 2;
            }
        });
        return command;
    }
}
