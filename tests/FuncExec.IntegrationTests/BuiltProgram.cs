using System.Diagnostics;

namespace FuncExec.IntegrationTests;

/// <summary>Runs a program the solution builds (an example, a test program) from its own build output, as its user would.</summary>
internal static class BuiltProgram
{
    /// <summary>Runs the program of the project in <paramref name="project"/> (a folder below the repository root) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string project, params string[] args)
    {
        // Built with the solution, in the configuration these tests run in.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var name = Path.GetFileName(project);
        var dll = Path.Combine(Funcexec.RepositoryRoot(), project, "bin", configuration, "net10.0", name + ".dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
