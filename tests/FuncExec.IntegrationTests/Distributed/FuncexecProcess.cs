using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace FuncExec.IntegrationTests.Distributed;

/// <summary>A running <c>funcexec</c> program (scheduler or node) whose output a test can wait on.</summary>
internal sealed partial class FuncexecProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _lock = new();

    private FuncexecProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_lock)
            {
                return _output.ToString();
            }
        }
    }

    public static FuncexecProcess Start(params string[] args) => new(Process.Start(Funcexec.StartInfo(args))!);

    /// <summary>Starts a scheduler on a free port (no discovery, no dashboard unless <paramref name="extra"/> asks) and returns it with its address.</summary>
    public static async Task<(FuncexecProcess Scheduler, string Address)> StartSchedulerAsync(params string[] extra)
    {
        // Tests run side by side: the dashboard's fixed default port would collide.
        string[] dashboard = extra.Contains("--dashboard-port") ? [] : ["--no-dashboard"];
        var scheduler = Start(["scheduler", "--ip-addr", "127.0.0.1", "--port", "0", "--udp-port", "0", .. dashboard, .. extra]);
        await scheduler.WaitForAsync("listening on");
        var port = ListeningPort().Match(scheduler.Output).Groups[1].Value;
        return (scheduler, $"127.0.0.1:{port}");
    }

    /// <summary>Starts <c>funcexec node</c> with <paramref name="args"/> and waits until it says it joined its scheduler.</summary>
    public static async Task<FuncexecProcess> StartNodeAsync(params string[] args)
    {
        var node = Start(["node", .. args]);
        try
        {
            await node.WaitForAsync("joined scheduler");
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until the output holds <paramref name="text"/> (a number of times); fails with the output so far.</summary>
    public async Task WaitForAsync(string text, int times = 1, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (Count(Output, text) < times)
        {
            if (DateTime.UtcNow > deadline || (_process.HasExited && Count(Output, text) < times))
            {
                throw new TimeoutException($"waited {seconds} s for '{text}' x{times}; output so far:\n{Output}");
            }

            await Task.Delay(20);
        }
    }

    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>Waits (at most <paramref name="seconds"/>, a guard against a hung process, not a timing check) for the process to exit.</summary>
    /// <returns>Its exit code.</returns>
    public async Task<int> WaitForExitAsync(int seconds = 180)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            await _process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException ex)
        {
            throw new TimeoutException($"the process did not exit within {seconds} s; output so far:\n{Output}", ex);
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static int Count(string haystack, string needle)
    {
        var count = 0;
        for (var i = haystack.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = haystack.IndexOf(needle, i + needle.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _output.AppendLine(line);
        }
    }

    [GeneratedRegex(@"listening on [^\s]*:(\d+)")]
    private static partial Regex ListeningPort();
}
