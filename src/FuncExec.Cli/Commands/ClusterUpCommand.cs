using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using FuncExec.Cli.SshCluster;
using FuncExec.Core.Text;
using FuncExec.Node.Remote;
using FuncExec.Protocol.Connections;
using Microsoft.Extensions.Logging;

namespace FuncExec.Cli.Commands;

/// <summary><c>funcexec cluster up HOSTS</c>: start a node on every host of a hosts file over ssh, detached, each joining the scheduler.</summary>
internal static class ClusterUpCommand
{
    public static Command Create()
    {
        var hosts = ClusterCommand.HostsArgument();
        var scheduler = new Option<string?>("--scheduler")
        {
            Description = "host:port the nodes dial, for every host (default: the hosts file's --scheduler, else this machine at the address each host sees it connect from, port 9700); :port keeps this machine",
        };
        var install = new Option<bool>("--install") { Description = "Copy this funcexec build to each host first (into REMOTE-DIR/VERSION-HASH, skipped when it is there)" };
        var wait = new Option<bool>("--wait") { Description = "Wait until every started node has joined the scheduler" };
        var waitTimeout = new Option<double>("--wait-timeout") { Description = "Seconds --wait waits at most", DefaultValueFactory = _ => 60 };
        var debug = ClusterCommand.DebugOption();
        var security = new SecurityOptions();
        var command = new Command("up", "Start a funcexec node on every host of a hosts file over ssh (detached, logging on the host); one line per host")
        {
            hosts, scheduler, install, wait, waitTimeout, debug,
        };
        security.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (await ClusterCommand.ReadHostsAsync(parse.GetValue(hosts)!).ConfigureAwait(false) is not { } list)
            {
                return 2;
            }

            var tls = security.Read(parse);
            if (parse.GetValue(scheduler) is { } text)
            {
                if (!HostsFileParser.TryParseScheduler(text, out var address))
                {
                    await Console.Error.WriteLineAsync($"cluster up: '--scheduler {text}' is not host[:port] or :port").ConfigureAwait(false);
                    return 2;
                }

                list = [.. list.Select(h => h with { SchedulerHost = address.Host, SchedulerPort = address.Port })];
            }

            list = [.. list.Select(h => h with { CertFile = tls.CertFile ?? h.CertFile, KeyFile = tls.KeyFile ?? h.KeyFile })];
            if (string.IsNullOrEmpty(tls.Secret))
            {
                // No secret given: the nodes need the one a scheduler of this user on this machine generated.
                try
                {
                    tls = tls with { Secret = await LocalSecretAsync(list, cancellationToken).ConfigureAwait(false) };
                }
                catch (Exception ex) when (ex is IOException or InvalidDataException)
                {
                    await Console.Error.WriteLineAsync($"cluster up: {ex.Message}").ConfigureAwait(false);
                    return 2;
                }
            }

            var build = LocalBuild.Current();
            var launch = new NodeLaunch { Secret = tls.Secret, BuildId = build.Id, LocalFuncexec = build.FuncexecDll };
            var launches = new Dictionary<string, NodeLaunch>(StringComparer.Ordinal);
            try
            {
                foreach (var host in list)
                {
                    launches[host.Name] = launch with { CertPem = ReadText(host.CertFile), KeyPem = ReadText(host.KeyFile) };
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A file named on the command line that went away or is not ours to read: the user's to fix, before any host is touched.
                await Console.Error.WriteLineAsync($"cluster up: cannot read a TLS file: {ex.Message}").ConfigureAwait(false);
                return 2;
            }

            var reports = await ClusterCommand.RunOnHostsAsync(
                "up", list, parse.GetValue(debug),
                (control, host, token) => control.UpAsync(host, launches[host.Name], parse.GetValue(install), token),
                cancellationToken).ConfigureAwait(false);
            if (reports is null)
            {
                return 2;
            }

            var ok = reports.All(r => r.Ok);
            if (parse.GetValue(wait) && reports.Any(r => r.Ok))
            {
                ok &= await WaitForJoinAsync(reports, tls, TimeSpan.FromSeconds(parse.GetValue(waitTimeout)), parse.GetValue(debug), cancellationToken).ConfigureAwait(false);
            }

            return ok ? 0 : 1;
        });
        return command;
    }

    private static string? ReadText(string? path) => path is null ? null : File.ReadAllText(path);

    /// <summary>
    /// The secret the scheduler the hosts are pointed at generated, when it runs on this machine
    /// (no <c>--scheduler</c>, <c>:PORT</c>, or an address of this machine) and all hosts agree on
    /// its port; else null.
    /// </summary>
    private static async Task<string?> LocalSecretAsync(IReadOnlyList<ClusterHost> hosts, CancellationToken cancellationToken)
    {
        var ports = hosts.Select(h => h.SchedulerPort).Distinct().ToList();
        if (ports.Count != 1)
        {
            return null;
        }

        HashSet<IPAddress>? local = null;
        foreach (var host in hosts.Select(h => h.SchedulerHost).Distinct(StringComparer.Ordinal))
        {
            if (host is null)
            {
                continue;
            }

            IPAddress[] addresses;
            try
            {
                addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                return null; // The dial reports an unknown host in its own words.
            }

            local ??= [.. NetworkInterface.GetAllNetworkInterfaces().SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(a => a.Address)];
            if (!addresses.Any(a => IPAddress.IsLoopback(a) || local.Contains(a)))
            {
                return null;
            }
        }

        return SchedulerStateFolder.TryReadSecret(SchedulerStateFolder.DefaultHome, ports[0]);
    }

    private static async Task<bool> WaitForJoinAsync(IReadOnlyList<HostReport> reports, TransportSecurity tls, TimeSpan timeout, bool debug, CancellationToken cancellationToken)
    {
        var started = reports.Where(r => r.Ok).ToList();
        // The address a started node dials; a node already running dials what its host's settings say.
        var address = started.Select(r => r.Scheduler ?? (r.Host.SchedulerHost is { } host ? new SchedulerAddress(host, r.Host.SchedulerPort).ToString() : null))
            .FirstOrDefault(a => a is not null);
        if (address is null)
        {
            await Console.Error.WriteLineAsync("cluster up: --wait cannot tell where the scheduler is; give --scheduler host:port").ConfigureAwait(false);
            return false;
        }

        var first = started[0].Host;
        var security = tls with { CertFile = tls.CertFile ?? first.CertFile, KeyFile = tls.KeyFile ?? first.KeyFile };
        using var logging = CliLogging.Create(debug);
        try
        {
            var missing = await new JoinWaiter(logging.CreateLogger("FuncExec.Cli.SshCluster"), TimeProvider.System)
                .WaitAsync(address, security, [.. started.Select(r => r.Host.Name)], timeout, cancellationToken).ConfigureAwait(false);
            if (missing.Count == 0)
            {
                Console.WriteLine($"joined: all {Plural.Of(started.Count, "node")} are in the scheduler at {address}");
                return true;
            }

            Console.WriteLine($"not joined within {Durations.Format(timeout)}: {string.Join(", ", missing)}; "
                + "see the end of their logs with funcexec cluster status");
            return false;
        }
        catch (Exception ex) when (ex is FuncExecException or PeerProtocolException or FormatException)
        {
            // No scheduler there, or it refused us (secret, TLS, version): the nodes may be fine, but they cannot be seen joining.
            await Console.Error.WriteLineAsync($"cluster up: --wait: {ex.Message}").ConfigureAwait(false);
            return false;
        }
    }
}
