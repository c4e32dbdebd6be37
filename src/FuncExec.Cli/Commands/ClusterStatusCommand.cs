using System.CommandLine;

namespace FuncExec.Cli.Commands;

/// <summary><c>funcexec cluster status HOSTS</c>: whether the node runs on each host, and the end of its log.</summary>
internal static class ClusterStatusCommand
{
    public static Command Create()
    {
        var hosts = ClusterCommand.HostsArgument();
        var lines = new Option<int>("--lines", "-n")
        {
            Description = "Lines of each node's log to show",
            DefaultValueFactory = _ => 5,
        };
        var debug = ClusterCommand.DebugOption();
        var command = new Command("status", "Show whether the node runs on each host (pid, log) and the last lines of its log")
        {
            hosts, lines, debug,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var count = Math.Max(0, parse.GetValue(lines));
            return await ClusterCommand.RunVerbAsync(
                "status", parse.GetValue(hosts)!, parse.GetValue(debug), (control, host, token) => control.StatusAsync(host, count, token), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
