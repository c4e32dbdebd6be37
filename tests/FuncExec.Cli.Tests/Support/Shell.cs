using System.Diagnostics;

namespace FuncExec.Cli.Tests.Support;

/// <summary>Runs /bin/sh here, the way a host runs what <c>funcexec cluster</c> sends it over ssh.</summary>
internal static class Shell
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Runs <c>sh -s</c> with <paramref name="script"/> on standard input.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunScriptAsync(string script, IDictionary<string, string>? environment = null) =>
        RunAsync(["-s"], script, environment);

    /// <summary>Runs <c>sh ARGS</c>, writing <paramref name="input"/> to its standard input.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        IEnumerable<string> args, string input = "", IDictionary<string, string>? environment = null, Func<Stream, Task>? writeInput = null)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (writeInput is not null)
        {
            await writeInput(process.StandardInput.BaseStream);
        }
        else
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(Patience);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Whether a process with this pid exists and is not a zombie.</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }

    /// <summary>Waits (60 s at most) until the pid is gone.</summary>
    public static async Task<bool> WaitUntilGoneAsync(int pid)
    {
        var deadline = Stopwatch.StartNew();
        while (IsRunning(pid))
        {
            if (deadline.Elapsed > Patience)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }
}
