using System.Diagnostics;
using System.Text.Json;

namespace FuncExec.Bench;

/// <summary>Python multiprocessing on W1/W2, run in the same session as FuncExec's figures.</summary>
internal static class Baseline
{
    public static (double W1, double W2P50)? RunMultiprocessing(int tasks, int workers)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "baselines", "multiprocessing_baseline.py");
        Console.Error.WriteLine("baseline: Python multiprocessing ...");
        try
        {
            using var python = Process.Start(new ProcessStartInfo("python3")
            {
                ArgumentList = { script, tasks.ToString(System.Globalization.CultureInfo.InvariantCulture), workers.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                RedirectStandardOutput = true,
                UseShellExecute = false,
            });
            if (python is null)
            {
                return null;
            }

            var output = python.StandardOutput.ReadToEnd();
            python.WaitForExit();
            if (python.ExitCode != 0)
            {
                return null;
            }

            using var json = JsonDocument.Parse(output);
            return (json.RootElement.GetProperty("w1_tasks_per_s").GetDouble(), json.RootElement.GetProperty("w2_p50_us").GetDouble());
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
