using System.Diagnostics;
using System.Text;

namespace FuncExec.Hosting.Tests;

/// <summary>The built <c>funcexec</c> program, run as its own process in a folder of the test's, as a user runs it.</summary>
internal sealed class FuncexecProcess : IAsyncDisposable
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

    /// <summary>Starts <c>funcexec ARGS</c> in <paramref name="folder"/> (where it looks for funcexec.json).</summary>
    public static FuncexecProcess Start(string folder, params string[] args) =>
        StartProgram(Path.Combine(AppContext.BaseDirectory, "funcexec.dll"), folder, args);

    /// <summary>Starts the program <paramref name="dll"/> with <paramref name="args"/> in <paramref name="folder"/>.</summary>
    public static FuncexecProcess StartProgram(string dll, string folder, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return new FuncexecProcess(Process.Start(start)!);
    }

    /// <summary>Waits until the output holds <paramref name="text"/>; fails with the output so far if the process ends first
    /// (or after a guard of a minute, against a hung process).</summary>
    public async Task WaitForAsync(string text)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || guard.IsCancellationRequested)
            {
                await Task.Delay(100, CancellationToken.None); // The last lines of a process that ended.
                Assert.Fail($"waited for '{text}'; output:\n{Output}");
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

    /// <summary>Sends SIGTERM, as a service manager or <c>kill</c> does.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Waits for the process to end (a guard of two minutes against a hung process) and gives its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await _process.WaitForExitAsync(guard.Token);
        _process.WaitForExit(); // The output read to its end.
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
}
