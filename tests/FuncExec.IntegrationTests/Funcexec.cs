using System.Diagnostics;

namespace FuncExec.IntegrationTests;

/// <summary>Runs the real <c>funcexec</c> program, as a user would.</summary>
internal static class Funcexec
{
    /// <summary>How to start <c>funcexec ARGS</c> from the test's build output, with its output redirected.</summary>
    public static ProcessStartInfo StartInfo(params string[] args) => FuncexecProcess.StartInfo(FuncexecProcess.FuncexecDll, args);

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FuncExec.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root above " + AppContext.BaseDirectory);
    }
}
