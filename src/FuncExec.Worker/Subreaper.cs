using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using FuncExec.Core.Platform;

namespace FuncExec.Worker;

/// <summary>
/// Keeps every process a task starts inside its worker: the worker adopts its orphans, and ends
/// whatever a task left running once the task is over.
/// </summary>
/// <remarks>
/// <para>
/// As a child subreaper (<c>prctl(PR_SET_CHILD_SUBREAPER)</c>), the worker becomes the parent of
/// any process below it whose parent exits, so a double-forked or <c>setsid</c> child of a command
/// stays in the worker's tree instead of moving to init. The node finds it there when it kills the
/// worker; and after each task the worker SIGKILLs every process still below it, as Slurm ends a job
/// step's processes, so nothing a finished task left holds the core the next task is given.
/// </para>
/// <para>
/// The runtime reaps only the children it started through <see cref="Process"/>, and fails fast if
/// one of those is reaped behind its back; adopted orphans it leaves as zombies. So the worker reaps
/// the children the runtime does not track, and only those.
/// </para>
/// </remarks>
internal static partial class Subreaper
{
    private const int PrSetChildSubreaper = 36;
    private const int Eintr = 4;
    private const int Echild = 10;

    // waitid(2): idtype P_ALL; options WEXITED, WSTOPPED, WCONTINUED, WNOHANG, WNOWAIT; a siginfo_t is 128 bytes.
    private const int PAll = 0;
    private const int WNoHang = 1;
    private const int WStopped = 2;
    private const int WExited = 4;
    private const int WContinued = 8;
    private const int WNoWait = 0x0100_0000;
    private const int SigInfoSize = 128;

    // The runtime's table of the children it reaps (pid → wait state), locked while it reaps; null
    // where this runtime keeps it elsewhere, and then no child is reaped here (an orphan stays a zombie).
    private static readonly IDictionary? TrackedChildren = typeof(Process).Assembly
        .GetType("System.Diagnostics.ProcessWaitState")
        ?.GetField("s_childProcessWaitStates", BindingFlags.NonPublic | BindingFlags.Static)
        ?.GetValue(null) as IDictionary;

    /// <summary>Makes this process adopt its orphaned descendants; false where the kernel refuses.</summary>
    public static bool Become() => Prctl(PrSetChildSubreaper, 1, 0, 0, 0) == 0;

    /// <summary>
    /// Kills every process below this one and reaps those the runtime does not; returns how many it
    /// found. Between tasks only: the worker's own process starts none.
    /// </summary>
    /// <param name="always">Look even when no process was created since the last look.</param>
    public static int EndLeftovers(bool always = false)
    {
        // Every process below us is a child of ours or below one (orphans come to us, the subreaper), so with no
        // child at all there is nothing to end: one system call, and a task of microseconds skips the scan of /proc.
        if (!always && !HasChildren())
        {
            return 0;
        }

        var self = Environment.ProcessId;
        var ended = ProcessTree.Freeze(self);
        ProcessTree.Kill(ended);
        if (ended.Count > 0)
        {
            var killed = ended.ToHashSet();
            foreach (var child in ProcessTree.Children(self).ToList())
            {
                // Only what was just killed: waiting on a child that still runs would block.
                if (killed.Contains(child) && !IsTracked(child))
                {
                    Reap(child);
                }
            }
        }

        return ended.Count;
    }

    private static bool IsTracked(int pid)
    {
        if (TrackedChildren is not { } tracked)
        {
            return true;
        }

        // The runtime adds a child to this table under this lock when it starts one, and reaps under
        // it; a pid already our child and not in it now is never added later.
        lock (tracked)
        {
            return tracked.Contains(pid);
        }
    }

    private static void Reap(int pid)
    {
        // It was just sent SIGKILL, so this waits only for it to finish dying.
        while (WaitPid(pid, out _, 0) == -1 && Marshal.GetLastPInvokeError() == Eintr)
        {
        }
    }

    /// <summary>Whether this process has a child, running or ended and not yet reaped: <c>waitid(P_ALL, WNOHANG |
    /// WNOWAIT)</c> answers ECHILD only when it has none, and reaps nothing (the runtime's children stay its own).</summary>
    private static bool HasChildren()
    {
        Span<byte> info = stackalloc byte[SigInfoSize];
        while (true)
        {
            if (WaitId(PAll, 0, ref MemoryMarshal.GetReference(info), WExited | WStopped | WContinued | WNoHang | WNoWait) == 0)
            {
                return true;
            }

            var error = Marshal.GetLastPInvokeError();
            if (error != Eintr)
            {
                // ECHILD: none. Anything else (not expected) counts as a child, so the scan runs as before.
                return error != Echild;
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", EntryPoint = "waitid", SetLastError = true)]
    private static partial int WaitId(int idType, int id, ref byte info, int options);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, out int status, int options);
}
