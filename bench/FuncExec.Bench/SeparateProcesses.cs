using System.Diagnostics;
using System.Text.RegularExpressions;

namespace FuncExec.Bench;

/// <summary><c>funcexec scheduler</c> and <c>funcexec node</c> as their own processes on 127.0.0.1.</summary>
internal sealed partial class SeparateProcesses : IAsyncDisposable
{
    private readonly List<Process> _processes = [];

    public string Address { get; private set; } = string.Empty;

    /// <param name="workers">The node's workers.</param>
    /// <param name="schedulerArgs">More options for the scheduler (its journal, for the journal benchmark).</param>
    public static async Task<SeparateProcesses> StartAsync(int workers, params string[] schedulerArgs)
    {
        var cluster = new SeparateProcesses();
        var scheduler = cluster.Start(["scheduler", "--ip-addr", "127.0.0.1", "--port", "0", "--udp-port", "0", "--no-dashboard", .. schedulerArgs]);
        var port = ListeningPort().Match(await WaitForLineAsync(scheduler, "listening on")).Groups[1].Value;
        cluster.Address = $"127.0.0.1:{port}";
        var node = cluster.Start("node", "--scheduler", cluster.Address, "-c", workers.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await WaitForLineAsync(node, "joined scheduler");
        return cluster;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    private Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "funcexec.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        _processes.Add(process);
        return process;
    }

    private static async Task<string> WaitForLineAsync(Process process, string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardError.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Contains(text, StringComparison.Ordinal))
            {
                // Keep draining its log so it never blocks on a full pipe.
                _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
                _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                return line;
            }
        }

        throw new InvalidOperationException($"the process exited before saying '{text}'");
    }

    [GeneratedRegex(@"listening on [^\s]*:(\d+)")]
    private static partial Regex ListeningPort();
}
