using System.Globalization;

namespace FuncExec.Tests.Fuzz;

/// <summary>A process's resident memory as Linux reports it in <c>/proc/PID/status</c>.</summary>
internal static class ProcessMemory
{
    /// <summary>The resident set now (<c>VmRSS</c>) and its peak (<c>VmHWM</c>), in bytes; zeros when the process is gone.</summary>
    public static (long Current, long Peak) Read(int pid)
    {
        long current = 0, peak = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    current = Kilobytes(line) * 1024;
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = Kilobytes(line) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // The process has exited.
        }

        return (current, peak);
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], NumberStyles.None, CultureInfo.InvariantCulture);
}
