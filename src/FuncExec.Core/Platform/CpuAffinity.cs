using System.Globalization;
using System.Runtime.InteropServices;

namespace FuncExec.Core.Platform;

/// <summary>
/// Pins threads of this process to cores with <c>sched_setaffinity</c>.
/// </summary>
/// <remarks>
/// Linux keeps an affinity mask per thread, and a new thread inherits its creator's. The
/// runtime starts threads before Main runs, so pinning "the process" means pinning every
/// thread listed in /proc/self/task; threads started later inherit a pinned creator's mask,
/// and so do child processes (fork copies the calling thread's mask).
/// </remarks>
internal static partial class CpuAffinity
{
    private const int MaskWords = 16; // 1024 CPUs, the kernel's default CONFIG_NR_CPUS bound.

    /// <summary>Pins every current thread of this process to <paramref name="cores"/>.</summary>
    /// <exception cref="IOException">The kernel refused the mask (e.g. a core that does not exist).</exception>
    public static void PinProcess(IReadOnlyList<int> cores) => PinThreads("/proc/self/task", cores);

    /// <summary>Pins every current thread of process <paramref name="pid"/> (of the same user) to <paramref name="cores"/>.</summary>
    public static void PinThreadsOf(int pid, IReadOnlyList<int> cores) =>
        PinThreads(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/task"), cores);

    private static void PinThreads(string taskDirectory, IReadOnlyList<int> cores)
    {
        var mask = ToMask(cores);
        foreach (var dir in Directory.EnumerateDirectories(taskDirectory))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var tid))
            {
                // A thread may exit between listing and pinning: ESRCH is not an error here.
                var rc = SchedSetAffinity(tid, (nint)(MaskWords * sizeof(ulong)), mask);
                if (rc != 0 && Marshal.GetLastPInvokeError() is var errno && errno != Esrch)
                {
                    throw new IOException($"sched_setaffinity({tid}, [{string.Join(',', cores)}]) failed with errno {errno}");
                }
            }
        }
    }

    /// <summary>Pins only the calling thread to <paramref name="cores"/>.</summary>
    public static void PinCurrentThread(IReadOnlyList<int> cores)
    {
        var mask = ToMask(cores);
        if (SchedSetAffinity(0, (nint)(MaskWords * sizeof(ulong)), mask) != 0)
        {
            throw new IOException($"sched_setaffinity(0, [{string.Join(',', cores)}]) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> on the calling thread while it is pinned to
    /// <paramref name="cores"/>, then restores its mask. A process started inside inherits the
    /// mask from its first instruction, since fork copies the calling thread's affinity.
    /// </summary>
    public static T WithCurrentThreadPinned<T>(IReadOnlyList<int> cores, Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var saved = new ulong[MaskWords];
        if (SchedGetAffinity(0, (nint)(MaskWords * sizeof(ulong)), saved) != 0)
        {
            throw new IOException($"sched_getaffinity failed with errno {Marshal.GetLastPInvokeError()}");
        }

        PinCurrentThread(cores);
        try
        {
            return action();
        }
        finally
        {
            _ = SchedSetAffinity(0, (nint)(MaskWords * sizeof(ulong)), saved);
        }
    }

    /// <summary>The cores this machine lets this process use, in ascending order.</summary>
    public static IReadOnlyList<int> AvailableCores()
    {
        var mask = new ulong[MaskWords];
        if (SchedGetAffinity(0, (nint)(MaskWords * sizeof(ulong)), mask) != 0)
        {
            return Enumerable.Range(0, Environment.ProcessorCount).ToArray();
        }

        var cores = new List<int>();
        for (var i = 0; i < MaskWords * 64; i++)
        {
            if ((mask[i / 64] & (1UL << (i % 64))) != 0)
            {
                cores.Add(i);
            }
        }

        return cores;
    }

    /// <summary>Formats cores as the kernel's list syntax, e.g. <c>0-2,5</c>.</summary>
    public static string FormatList(IEnumerable<int> cores)
    {
        ArgumentNullException.ThrowIfNull(cores);
        var sorted = cores.Distinct().Order().ToArray();
        var parts = new List<string>();
        for (var i = 0; i < sorted.Length;)
        {
            var j = i;
            while (j + 1 < sorted.Length && sorted[j + 1] == sorted[j] + 1)
            {
                j++;
            }

            parts.Add(i == j
                ? sorted[i].ToString(CultureInfo.InvariantCulture)
                : string.Create(CultureInfo.InvariantCulture, $"{sorted[i]}-{sorted[j]}"));
            i = j + 1;
        }

        return string.Join(',', parts);
    }

    /// <summary>Parses the kernel's list syntax (<c>0-2,5</c>), as in <c>Cpus_allowed_list</c>.</summary>
    public static IReadOnlyList<int> ParseList(string list)
    {
        ArgumentNullException.ThrowIfNull(list);
        var cores = new List<int>();
        foreach (var part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0)
            {
                cores.Add(int.Parse(part, CultureInfo.InvariantCulture));
            }
            else
            {
                var from = int.Parse(part.AsSpan(0, dash), CultureInfo.InvariantCulture);
                var to = int.Parse(part.AsSpan(dash + 1), CultureInfo.InvariantCulture);
                for (var c = from; c <= to; c++)
                {
                    cores.Add(c);
                }
            }
        }

        return cores;
    }

    private const int Esrch = 3;

    private static ulong[] ToMask(IReadOnlyList<int> cores)
    {
        ArgumentNullException.ThrowIfNull(cores);
        if (cores.Count == 0)
        {
            throw new ArgumentException("at least one core is needed", nameof(cores));
        }

        var mask = new ulong[MaskWords];
        foreach (var core in cores)
        {
            if (core < 0 || core >= MaskWords * 64)
            {
                throw new ArgumentOutOfRangeException(nameof(cores), core, "core number out of range");
            }

            mask[core / 64] |= 1UL << (core % 64);
        }

        return mask;
    }

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SchedSetAffinity(int pid, nint cpusetsize, ulong[] mask);

    [LibraryImport("libc", EntryPoint = "sched_getaffinity", SetLastError = true)]
    private static partial int SchedGetAffinity(int pid, nint cpusetsize, ulong[] mask);
}
