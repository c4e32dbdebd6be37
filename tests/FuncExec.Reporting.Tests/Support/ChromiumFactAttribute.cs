namespace FuncExec.Reporting.Tests.Support;

/// <summary>A test that renders a page in headless Chromium; skipped, saying so, where no Chromium is installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium is null)
        {
            Skip = "no chromium on PATH (apt-get install chromium to run this test)";
        }
    }

    /// <summary>The Chromium executable on PATH, or null.</summary>
    public static string? Chromium { get; } = Find();

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
