using System.Globalization;
using FuncExec.Core.Text;

namespace FuncExec.Cli.SshCluster;

/// <summary>Starts, stops and looks at the node on each host over ssh, one <see cref="HostReport"/> per host.</summary>
internal sealed class NodeControl(SshRunner ssh, LocalBuild build)
{
    /// <summary>How many hosts are worked on at once; more wait their turn.</summary>
    public const int MaxParallel = 16;

    /// <summary>
    /// Runs <paramref name="action"/> for every host, <see cref="MaxParallel"/> at a time, and hands each
    /// report to <paramref name="onReport"/> in hosts-file order as soon as it and those before it are in.
    /// </summary>
    public static async Task<IReadOnlyList<HostReport>> ForEachHostAsync(
        IReadOnlyList<ClusterHost> hosts,
        Func<ClusterHost, CancellationToken, Task<HostReport>> action,
        Action<HostReport> onReport,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(onReport);
        using var gate = new SemaphoreSlim(MaxParallel);
        var running = hosts.Select(async host =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await action(host, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        var reports = new List<HostReport>(hosts.Count);
        foreach (var task in running)
        {
            var report = await task.ConfigureAwait(false);
            onReport(report);
            reports.Add(report);
        }

        return reports;
    }

    /// <summary>Starts the node on <paramref name="host"/> unless it runs already, first copying this build there with <paramref name="install"/>.</summary>
    /// <exception cref="SshMissingException">There is no ssh program here.</exception>
    public async Task<HostReport> UpAsync(ClusterHost host, NodeLaunch launch, bool install, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(launch);
        var details = new List<string>();
        if (install)
        {
            var probe = await ssh.RunScriptAsync(host, RemoteScripts.IsInstalled(host, launch), string.Empty, cancellationToken).ConfigureAwait(false);
            if (probe.ExitCode == SshResult.SshFailed)
            {
                return Failed(host, SshFailure.Describe(probe.Stderr));
            }

            if (probe.ExitCode != 0)
            {
                var copy = await ssh.RunAsync(host, RemoteScripts.Install(host, launch), build.WriteTarAsync, cancellationToken).ConfigureAwait(false);
                if (copy.Report("installed") is not { } installed)
                {
                    return Failed(host, copy.ExitCode == SshResult.SshFailed
                        ? SshFailure.Describe(copy.Stderr)
                        : $"could not install this build in {RemoteScripts.BuildDir(host, launch)} ({copy.LastError})");
                }

                details.Add($"installed this build ({build.Size() / (1024.0 * 1024.0):0.0} MiB) in {installed[2]}");
            }
        }

        var start = await ssh.RunScriptAsync(host, RemoteScripts.ReadScript, RemoteScripts.Start(host, launch), cancellationToken).ConfigureAwait(false);
        if (start.Report("running") is { } running)
        {
            return new HostReport(host, true, $"already running, pid {running[1]}, log {running[2]}") { Pid = Pid(running), Details = details };
        }

        if (start.Report("started") is { } started)
        {
            return new HostReport(host, true, $"started, pid {started[1]}, log {started[2]}")
            {
                Pid = Pid(started),
                Scheduler = start.Report("scheduler")?[2],
                Details = details,
            };
        }

        return Failed(host, Reason(start), [.. details, .. start.LogLines]);
    }

    /// <summary>Stops the node <c>cluster up</c> started on <paramref name="host"/>: SIGTERM, then SIGKILL after <paramref name="grace"/>.</summary>
    /// <exception cref="SshMissingException">There is no ssh program here.</exception>
    public async Task<HostReport> DownAsync(ClusterHost host, TimeSpan grace, CancellationToken cancellationToken = default)
    {
        var stop = await ssh.RunScriptAsync(host, RemoteScripts.ReadScript, RemoteScripts.Stop(host, grace), cancellationToken).ConfigureAwait(false);
        return stop.Reports.FirstOrDefault(r => r[0] is "stopped" or "killed" or "gone" or "none") switch
        {
            ["stopped", var pid, _] => new HostReport(host, true, $"stopped, pid {pid}"),
            ["killed", var pid, _] => new HostReport(host, true,
                $"killed, pid {pid}: it did not stop within {Durations.Format(grace)} of SIGTERM"),
            ["gone", var pid, _] => new HostReport(host, true, $"was not running (pid {pid} had ended)"),
            ["none", _, _] => new HostReport(host, true, "was not running (no pid file: cluster up did not start it, or it was stopped)"),
            _ => Failed(host, Reason(stop)),
        };
    }

    /// <summary>Whether the node runs on <paramref name="host"/>, with the last <paramref name="logLines"/> lines of its log.</summary>
    /// <exception cref="SshMissingException">There is no ssh program here.</exception>
    public async Task<HostReport> StatusAsync(ClusterHost host, int logLines, CancellationToken cancellationToken = default)
    {
        var status = await ssh.RunScriptAsync(host, RemoteScripts.ReadScript, RemoteScripts.Status(host, logLines), cancellationToken).ConfigureAwait(false);
        var log = status.LogLines;
        return status.Reports.FirstOrDefault(r => r[0] is "running" or "gone" or "none") switch
        {
            ["running", var pid, var path] => new HostReport(host, true, $"running, pid {pid}, log {path}") { Pid = int.Parse(pid, CultureInfo.InvariantCulture), Details = log },
            ["gone", var pid, var path] => new HostReport(host, false, $"not running (pid {pid} has ended), log {path}") { Details = log },
            ["none", _, var path] => new HostReport(host, false, log.Count > 0 ? $"not running, log {path}" : "not running (never started by cluster up)") { Details = log },
            _ => Failed(host, Reason(status)),
        };
    }

    private static HostReport Failed(ClusterHost host, string reason, IReadOnlyList<string>? details = null) =>
        new(host, false, "failed: " + reason) { Details = details ?? [] };

    private static int? Pid(string[] report) =>
        int.TryParse(report[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;

    // Why a script run did not end in one of the reports its verb expects.
    private static string Reason(SshResult result) =>
        result.Report("error") is { } error ? error[2]
        : result.ExitCode == SshResult.SshFailed && result.Reports.Count == 0 ? SshFailure.Describe(result.Stderr)
        : $"the remote script failed with exit code {result.ExitCode} ({(result.LastError.Length > 0 ? result.LastError : "no message")})";
}
