using System.Diagnostics;
using System.Text.RegularExpressions;

namespace FuncExec.Bench.Fuzz;

/// <summary>A <c>funcexec</c> scheduler or node started from this tool's output folder, its log drained and its tail kept.</summary>
internal sealed partial class FuzzedProcess : IAsyncDisposable
{
    private const int TailLines = 40;
    private readonly Process _process;
    private readonly Queue<string> _tail = new();
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource<string> _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _waitFor;

    private FuzzedProcess(string waitFor, params string[] args)
    {
        _waitFor = waitFor;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "funcexec.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines it logged.</summary>
    public string Tail
    {
        get
        {
            lock (_lock)
            {
                return string.Join('\n', _tail);
            }
        }
    }

    /// <summary>Starts a scheduler on a free port of 127.0.0.1 and returns it with its address.</summary>
    public static async Task<(FuzzedProcess Scheduler, string Address)> StartSchedulerAsync(string secret, string destPath)
    {
        var scheduler = new FuzzedProcess("listening on", "scheduler", "--ip-addr", "127.0.0.1", "--port", "0", "--udp-port", "0", "--no-dashboard", "--secret", secret, "--dest-path", destPath);
        var line = await scheduler.StartedAsync().ConfigureAwait(false);
        return (scheduler, $"127.0.0.1:{ListeningPort().Match(line).Groups[1].Value}");
    }

    /// <summary>Starts a node of <paramref name="workers"/> workers and waits until it has joined.</summary>
    public static async Task<FuzzedProcess> StartNodeAsync(string address, int workers, string secret, string destPath)
    {
        var node = new FuzzedProcess("joined scheduler", "node", "--scheduler", address, "-c", workers.ToString(System.Globalization.CultureInfo.InvariantCulture), "--name", "fuzzed", "--secret", secret, "--dest-path", destPath);
        await node.StartedAsync().ConfigureAwait(false);
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }

    private async Task<string> StartedAsync()
    {
        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(_seen.Task, exited, Task.Delay(TimeSpan.FromSeconds(60))).ConfigureAwait(false);
        return first == _seen.Task
            ? await _seen.Task.ConfigureAwait(false)
            : throw new InvalidOperationException($"funcexec did not say '{_waitFor}':\n{Tail}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.Contains(_waitFor, StringComparison.Ordinal))
        {
            _seen.TrySetResult(line);
        }

        lock (_lock)
        {
            _tail.Enqueue(line);
            if (_tail.Count > TailLines)
            {
                _tail.Dequeue();
            }
        }
    }

    [GeneratedRegex(@"listening on [^\s]*:(\d+)")]
    private static partial Regex ListeningPort();
}
