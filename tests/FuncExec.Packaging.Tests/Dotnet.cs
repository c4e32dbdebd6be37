using System.Diagnostics;

namespace FuncExec.Packaging.Tests;

/// <summary>Runs programs (<c>dotnet</c> above all) the way a user at a shell would, with their output.</summary>
internal static class Dotnet
{
    /// <summary>A guard against a hung process, not a timing check.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(5);

    /// <summary>How to start <paramref name="fileName"/> in <paramref name="workingDirectory"/>: output redirected,
    /// FuncExec's state under <paramref name="home"/>, and none of the test host's MSBuild settings, which would
    /// steer a child <c>dotnet build</c>.</summary>
    public static ProcessStartInfo StartInfo(string fileName, string workingDirectory, string home, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["FUNCEXEC_HOME"] = home;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        return start;
    }

    /// <summary>Runs <paramref name="fileName"/> to its end.</summary>
    public static async Task<Run> RunProgramAsync(string fileName, string workingDirectory, string home, params string[] args)
    {
        using var process = Process.Start(StartInfo(fileName, workingDirectory, home, args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(Guard);
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not end within {Guard}");
        }

        return new Run($"{fileName} {string.Join(' ', args)}", process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs <c>dotnet ARGS</c> to its end.</summary>
    public static Task<Run> RunAsync(string workingDirectory, string home, params string[] args) => RunProgramAsync("dotnet", workingDirectory, home, args);

    /// <summary>A finished run.</summary>
    public sealed record Run(string Command, int ExitCode, string Stdout, string Stderr)
    {
        /// <summary>Everything it printed, for a failed assertion's message.</summary>
        public override string ToString() => $"{Command}: exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";

        /// <summary>Fails the test, with the output, unless it exited with 0.</summary>
        public Run EnsureSuccess()
        {
            Assert.True(ExitCode == 0, ToString());
            return this;
        }
    }
}
