using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace FuncExec.Node.Workers;

/// <summary>Kills a worker process with everything it started.</summary>
/// <remarks>
/// A command task runs as a child of its worker, and that child may start its own (a shell's
/// <c>sleep 300 &amp;</c>). Killing the worker alone would leave them running, holding the core the
/// next task is given. So the worker's descendants are found first, from
/// <c>/proc/PID/task/TID/children</c> (read before the kill: once the worker is gone they belong to
/// init), then the worker and each of them get SIGKILL.
/// </remarks>
internal static partial class ProcessKill
{
    private const int SigKill = 9;

    /// <summary>SIGKILLs <paramref name="process"/> and its descendants; one that already exited is left
    /// as it is, since whoever reads its end reports that.</summary>
    public static void Quietly(Process? process)
    {
        if (process is null)
        {
            return;
        }

        var descendants = Descendants(process.Id);
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }

        foreach (var pid in descendants)
        {
            // A process that ended meanwhile answers ESRCH, which is what we wanted anyway.
            _ = Kill(pid, SigKill);
        }
    }

    /// <summary>Every process below <paramref name="pid"/>, parents before their children; empty where
    /// <c>/proc</c> does not list children.</summary>
    internal static List<int> Descendants(int pid)
    {
        var found = new List<int>();
        var pending = new Queue<int>();
        pending.Enqueue(pid);
        while (pending.Count > 0 && found.Count < 10_000)
        {
            foreach (var child in Children(pending.Dequeue()))
            {
                if (child != pid && !found.Contains(child))
                {
                    found.Add(child);
                    pending.Enqueue(child);
                }
            }
        }

        return found;
    }

    private static IEnumerable<int> Children(int pid)
    {
        string[] threads;
        try
        {
            threads = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone already, or not Linux.
            yield break;
        }

        foreach (var thread in threads)
        {
            string text;
            try
            {
                text = File.ReadAllText(Path.Combine(thread, "children"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The thread ended while we looked.
                continue;
            }

            foreach (var field in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var child))
                {
                    yield return child;
                }
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
