using System.Diagnostics;

namespace FuncExec.Reporting.Tests.Support;

/// <summary>Renders a page in the system's headless Chromium (<c>./test.sh</c> installs it) and returns the DOM after its scripts ran.</summary>
internal static class HeadlessChromium
{
    private static readonly string? Executable = Find();

    /// <returns>The rendered DOM, and what Chromium wrote to standard error (for failure messages).</returns>
    /// <exception cref="InvalidOperationException">No Chromium on PATH.</exception>
    public static async Task<(string Dom, string Errors)> DumpDomAsync(string htmlPath)
    {
        var start = new ProcessStartInfo(Executable ?? throw new InvalidOperationException(
            "no chromium on PATH: ./test.sh installs it when missing (apt-get install chromium)"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000", "--dump-dom", new Uri(htmlPath).AbsoluteUri })
        {
            start.ArgumentList.Add(arg);
        }

        using var chromium = Process.Start(start)!;
        var dom = chromium.StandardOutput.ReadToEndAsync();
        var errors = chromium.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await chromium.WaitForExitAsync(timeout.Token);
        return (await dom, await errors);
    }

    private static string? Find()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome" })
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
