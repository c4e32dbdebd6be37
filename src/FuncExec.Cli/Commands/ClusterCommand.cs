using System.CommandLine;
using FuncExec.Cli.SshCluster;
using Microsoft.Extensions.Logging;

namespace FuncExec.Cli.Commands;

/// <summary><c>funcexec cluster up|down|status HOSTS</c>: nodes on the hosts of a hosts file, started and stopped over OpenSSH.</summary>
internal static class ClusterCommand
{
    public static Command Create() => new("cluster", "Start, stop and look at funcexec nodes on the hosts of a hosts file, over ssh")
    {
        ClusterUpCommand.Create(),
        ClusterDownCommand.Create(),
        ClusterStatusCommand.Create(),
    };

    /// <summary>The hosts file argument every cluster verb takes.</summary>
    public static Argument<FileInfo> HostsArgument() => new("hosts")
    {
        Description = "Hosts file: one host a line, [user@]host[:port] then its options (-c N, --name, --dest-path, --identity, -o OPTION, ...); a line of options alone sets them for every host",
    };

    /// <summary>The debug option every cluster verb takes.</summary>
    public static Option<bool> DebugOption() => new("--debug", "-d") { Description = "Log each ssh command and how it ended to standard error" };

    /// <summary>Reads the hosts file, printing what is wrong with it (as <c>file:line:column: problem</c>) when it cannot be used.</summary>
    /// <returns>The hosts, or null after printing the problem.</returns>
    public static async Task<IReadOnlyList<ClusterHost>?> ReadHostsAsync(FileInfo file)
    {
        try
        {
            return HostsFileParser.Read(file.ToString());
        }
        catch (HostsFileException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>Reads the hosts file and runs <paramref name="action"/> on every host (see <see cref="RunOnHostsAsync"/>).</summary>
    /// <returns>The exit code: 0 when every host is as the verb wants it, 1 when some are not, 2 for a bad hosts file or no ssh.</returns>
    public static async Task<int> RunVerbAsync(
        string verb,
        FileInfo hostsFile,
        bool debug,
        Func<NodeControl, ClusterHost, CancellationToken, Task<HostReport>> action,
        CancellationToken cancellationToken)
    {
        if (await ReadHostsAsync(hostsFile).ConfigureAwait(false) is not { } hosts)
        {
            return 2;
        }

        var reports = await RunOnHostsAsync(verb, hosts, debug, action, cancellationToken).ConfigureAwait(false);
        return reports is null ? 2 : reports.All(r => r.Ok) ? 0 : 1;
    }

    /// <summary>
    /// Runs <paramref name="action"/> on every host, in parallel, printing each host's report in hosts-file order.
    /// </summary>
    /// <returns>The reports, or null after printing that there is no ssh here.</returns>
    public static async Task<IReadOnlyList<HostReport>?> RunOnHostsAsync(
        string verb,
        IReadOnlyList<ClusterHost> hosts,
        bool debug,
        Func<NodeControl, ClusterHost, CancellationToken, Task<HostReport>> action,
        CancellationToken cancellationToken)
    {
        using var logging = CliLogging.Create(debug);
        var control = new NodeControl(new SshRunner(logging.CreateLogger("FuncExec.Cli.SshCluster")), LocalBuild.Current());
        try
        {
            return await NodeControl.ForEachHostAsync(
                hosts, (host, token) => action(control, host, token), report => Console.WriteLine(report.ToString()), cancellationToken).ConfigureAwait(false);
        }
        catch (SshMissingException ex)
        {
            await Console.Error.WriteLineAsync($"cluster {verb}: {ex.Message}").ConfigureAwait(false);
            return null;
        }
    }
}
