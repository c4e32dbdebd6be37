using System.Globalization;
using System.Runtime.InteropServices;

namespace FuncExec.Core.Platform;

/// <summary>
/// Finds and ends the processes below a process, read from <c>/proc/PID/task/TID/children</c>.
/// </summary>
/// <remarks>
/// A process found in one read can fork again before it is killed, and that child would escape a
/// single read-then-kill pass. So <see cref="Freeze"/> stops (SIGSTOP, which cannot be caught or
/// ignored) every process it finds and reads the tree again until a read finds nothing new: a stopped
/// process cannot fork. Only then is each one sent SIGKILL, which ends a stopped process too.
/// </remarks>
internal static partial class ProcessTree
{
    private const int SigKill = 9;
    private const int SigStop = 19;

    // A runaway fork loop is stopped as it is found; these bound the work if something odd happens anyway.
    private const int MaxProcesses = 10_000;
    private const int MaxRounds = 1_000;

    /// <summary>Stops every process below <paramref name="pid"/> and SIGKILLs them; returns how many it found.</summary>
    /// <remarks>The process <paramref name="pid"/> itself is left as it is.</remarks>
    public static int EndDescendants(int pid)
    {
        var frozen = Freeze(pid);
        Kill(frozen);
        return frozen.Count;
    }

    /// <summary>
    /// SIGSTOPs every process below <paramref name="pid"/>, reading the tree again until a read finds
    /// none it has not stopped; returns them, parents before their children.
    /// </summary>
    public static IReadOnlyList<int> Freeze(int pid)
    {
        var stopped = new List<int>();
        var seen = new HashSet<int>();
        for (var round = 0; round < MaxRounds && stopped.Count < MaxProcesses; round++)
        {
            var fresh = 0;
            foreach (var child in Descendants(pid))
            {
                if (seen.Add(child))
                {
                    // A process that ended meanwhile answers ESRCH: nothing left to stop.
                    _ = SendSignal(child, SigStop);
                    stopped.Add(child);
                    fresh++;
                }
            }

            if (fresh == 0)
            {
                break;
            }
        }

        return stopped;
    }

    /// <summary>SIGKILLs each of <paramref name="pids"/>; one that already ended is skipped.</summary>
    public static void Kill(IEnumerable<int> pids)
    {
        ArgumentNullException.ThrowIfNull(pids);
        foreach (var pid in pids)
        {
            _ = SendSignal(pid, SigKill);
        }
    }

    /// <summary>Every process below <paramref name="pid"/>, parents before their children; empty where
    /// <c>/proc</c> does not list children.</summary>
    public static List<int> Descendants(int pid)
    {
        var found = new List<int>();
        var seen = new HashSet<int> { pid };
        var pending = new Queue<int>();
        pending.Enqueue(pid);
        while (pending.Count > 0 && found.Count < MaxProcesses)
        {
            foreach (var child in Children(pending.Dequeue()))
            {
                if (seen.Add(child))
                {
                    found.Add(child);
                    pending.Enqueue(child);
                }
            }
        }

        return found;
    }

    /// <summary>The direct children of <paramref name="pid"/>, from every one of its threads (a child
    /// belongs to the thread that forked it, and an orphan to the thread that adopted it).</summary>
    public static IEnumerable<int> Children(int pid)
    {
        string[] threads;
        try
        {
            threads = Directory.GetDirectories(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/task"));
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
    private static partial int SendSignal(int pid, int signal);
}
