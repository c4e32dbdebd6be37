using System.CommandLine;

namespace FuncExec.Cli.Commands;

/// <summary><c>funcexec cluster down HOSTS</c>: stop the nodes <c>cluster up</c> started (SIGTERM, then SIGKILL after a grace period).</summary>
internal static class ClusterDownCommand
{
    public static Command Create()
    {
        var hosts = ClusterCommand.HostsArgument();
        var grace = new Option<double>("--grace")
        {
            Description = "Seconds a node has to stop after SIGTERM before it and its workers get SIGKILL",
            DefaultValueFactory = _ => 10,
        };
        var debug = ClusterCommand.DebugOption();
        var command = new Command("down", "Stop the node cluster up started on each host; one line per host")
        {
            hosts, grace, debug,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var seconds = TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(grace)));
            return await ClusterCommand.RunVerbAsync(
                "down", parse.GetValue(hosts)!, parse.GetValue(debug), (control, host, token) => control.DownAsync(host, seconds, token), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
