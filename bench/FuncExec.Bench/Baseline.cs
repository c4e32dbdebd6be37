using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace FuncExec.Bench;

/// <summary>Python multiprocessing, Dask distributed and Celery on the same workloads, run in the same session as FuncExec's figures.</summary>
internal static class Baseline
{
    public static (double W1, double W2P50)? RunMultiprocessing(int tasks, int workers) =>
        RunPython("Python multiprocessing", "multiprocessing_baseline.py", Invariant(tasks), Invariant(workers));

    /// <summary>Dask's LocalCluster; null (with the reason on standard error) when Dask is not installed.</summary>
    public static (double W1, double W2P50)? RunDask(int tasks, int workers) =>
        RunPython("Dask distributed", "dask_baseline.py", Invariant(tasks), Invariant(workers));

    /// <summary>Celery with a prefork worker pool, through the RabbitMQ broker at <paramref name="url"/>; null (with the
    /// reason on standard error) when Celery is not installed.</summary>
    public static (double W1, double W2P50)? RunCelery(string url, int tasks, int workers) =>
        RunPython("Celery", "celery_baseline.py", url, Invariant(tasks), Invariant(workers));

    /// <summary>Dask's LocalCluster start to its first result, in milliseconds, sorted, a new Python process each round; null
    /// (with the reason on standard error) when Dask is not installed.</summary>
    public static double[]? RunDaskStartup(int workers, int rounds)
    {
        var times = new double[rounds];
        for (var i = 0; i < rounds; i++)
        {
            using var json = RunPythonJson("Dask LocalCluster start-up", "dask_startup.py", Invariant(workers));
            if (json is null)
            {
                return null;
            }

            times[i] = json.RootElement.GetProperty("start_ms").GetDouble();
        }

        Array.Sort(times);
        return times;
    }

    /// <summary>
    /// <c>Pool(workers).imap_unordered(noop, range(items), chunksize=C)</c> collected into a list, once per chunk size
    /// (0 stands for items ÷ (4 × workers) rounded up, <c>Pool.map</c>'s own rule); items per second by chunk size, or null
    /// (with the reason on standard error) when it did not run.
    /// </summary>
    public static IReadOnlyList<(int ChunkSize, double ItemsPerSecond)>? RunImapUnordered(int items, int workers, IReadOnlyList<int> chunkSizes)
    {
        var automatic = (items + (4 * workers) - 1) / (4 * workers);
        using var json = RunPythonJson(
            "Python multiprocessing imap_unordered",
            "imap_unordered_baseline.py",
            [Invariant(items), Invariant(workers), .. chunkSizes.Select(c => Invariant(c == 0 ? automatic : c))]);
        return json?.RootElement.GetProperty("runs").EnumerateArray()
            .Select(run => (run.GetProperty("chunksize").GetInt32(), run.GetProperty("items_per_s").GetDouble()))
            .ToArray();
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static (double W1, double W2P50)? RunPython(string title, string scriptName, params string[] arguments)
    {
        using var json = RunPythonJson(title, scriptName, arguments);
        if (json is null)
        {
            return null;
        }

        if (json.RootElement.TryGetProperty("w1_runs", out var runs))
        {
            Console.Error.WriteLine($"{title} W1: {string.Join(", ", runs.EnumerateArray().Select(r => r.GetDouble().ToString("N0", CultureInfo.InvariantCulture)))} tasks/s");
        }

        return (json.RootElement.GetProperty("w1_tasks_per_s").GetDouble(), json.RootElement.GetProperty("w2_p50_us").GetDouble());
    }

    private static JsonDocument? RunPythonJson(string title, string scriptName, params string[] arguments)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "baselines", scriptName);
        Console.Error.WriteLine($"baseline: {title} ...");
        try
        {
            var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add(script);
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var python = Process.Start(start);
            if (python is null)
            {
                return null;
            }

            var output = python.StandardOutput.ReadToEnd();
            python.WaitForExit();
            if (python.ExitCode != 0)
            {
                Console.Error.WriteLine($"baseline: {title} exited with code {python.ExitCode}; its column stays empty");
                return null;
            }

            return JsonDocument.Parse(output);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine($"baseline: no python3 on PATH; the {title} column stays empty");
            return null;
        }
    }
}
