using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace FuncExec.Tests.Processes;

/// <summary>A running program of the build (<c>funcexec</c>, or an example), as a user runs it, whose output a test can
/// wait on. Killed with its children when disposed.</summary>
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

    /// <summary>Its standard output and error so far, line by line as they came.</summary>
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

    /// <summary>Starts <c>funcexec ARGS</c> from the test's build output, in the test's working directory.</summary>
    public static FuncexecProcess Start(params string[] args) => StartProgram(FuncexecDll, null, args);

    /// <summary>Starts <c>funcexec ARGS</c> in <paramref name="folder"/> (where it looks for funcexec.json).</summary>
    public static FuncexecProcess StartIn(string folder, params string[] args) => StartProgram(FuncexecDll, folder, args);

    /// <summary>Starts the program <paramref name="dll"/> with <paramref name="args"/>, in <paramref name="folder"/> when given.</summary>
    public static FuncexecProcess StartProgram(string dll, string? folder, params string[] args)
    {
        var start = StartInfo(dll, args);
        if (folder is not null)
        {
            start.WorkingDirectory = folder;
        }

        return new FuncexecProcess(Process.Start(start)!);
    }

    /// <summary>How to start <c>dotnet exec DLL ARGS</c> with its output redirected.</summary>
    public static ProcessStartInfo StartInfo(string dll, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    /// <summary>The <c>funcexec</c> program in the test's build output.</summary>
    public static string FuncexecDll => Path.Combine(AppContext.BaseDirectory, "funcexec.dll");

    /// <summary>Waits until the output holds <paramref name="text"/> (a number of times); fails with the output so far
    /// if the process ends first, or after <paramref name="seconds"/> (a guard against a hung process, not a timing check).</summary>
    public async Task WaitForAsync(string text, int times = 1, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (Count(Output, text) < times)
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                await Task.Delay(100, CancellationToken.None); // The last lines of a process that ended.
                if (Count(Output, text) >= times)
                {
                    return;
                }

                throw new TimeoutException($"waited {seconds} s for '{text}' x{times}{(_process.HasExited ? " (the process ended)" : "")}; output so far:\n{Output}");
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

    /// <summary>Sends SIGTERM, as a service manager or <c>kill</c> does.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Kills the process and its children at once.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>Waits (at most <paramref name="seconds"/>, a guard against a hung process, not a timing check) for the
    /// process to exit, its output read to the end.</summary>
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
}
