using System.Collections;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace FuncExec.Core.Platform;

/// <summary>
/// Makes a process that supervises workers (<c>funcexec node</c>) adopt the orphans of a worker that
/// died on its own, and end them: a worker adopts the processes its tasks leave behind, but once it
/// dies they would move to init and outlive the task.
/// </summary>
/// <remarks>
/// <para>
/// After <see cref="Become"/> (<c>prctl(PR_SET_CHILD_SUBREAPER)</c>), whatever was below a worker
/// when it died is reparented to this process before the worker's exit is reported, so
/// <see cref="EndAdopted"/>, called then, finds it among this process's children: every child the
/// runtime did not start. It freezes and SIGKILLs each with its tree, and reaps it.
/// </para>
/// <para>
/// The runtime reaps only the children it started through <see cref="Process"/>, and fails fast if
/// one of those is reaped behind its back. So the children it tracks are told apart from adopted
/// ones under its own process-start lock, which a <see cref="Process.Start()"/> holds from the fork
/// until the child is tracked. Where this runtime keeps either elsewhere, <see cref="Become"/>
/// declines and nothing is adopted. Only a process that asked to adopt looks for orphans: an
/// embedded cluster in a user's program never makes that program a subreaper behind its back.
/// </para>
/// </remarks>
internal static partial class OrphanReaper
{
    private const int PrSetChildSubreaper = 36;
    private const int SigStop = 19;
    private const int Eintr = 4;

    // Orphans of an orphan are adopted as it dies; a few rounds end a tree of any depth, and this
    // bounds the work if something odd happens anyway.
    private const int MaxRounds = 16;

    private static readonly Lock Sweeping = new();

    // The runtime's table of the children it reaps (pid → wait state), locked while it reaps.
    private static readonly IDictionary? TrackedChildren = typeof(Process).Assembly
        .GetType("System.Diagnostics.ProcessWaitState")
        ?.GetField("s_childProcessWaitStates", BindingFlags.NonPublic | BindingFlags.Static)
        ?.GetValue(null) as IDictionary;

    // Held for reading from a fork until the child is in the table above (Process on older runtimes, ProcessUtils on newer).
    private static readonly ReaderWriterLockSlim? StartLock = (
        typeof(Process).GetField("s_processStartLock", BindingFlags.NonPublic | BindingFlags.Static)
        ?? typeof(Process).Assembly.GetType("System.Diagnostics.ProcessUtils")?.GetField("s_processStartLock", BindingFlags.NonPublic | BindingFlags.Static))
        ?.GetValue(null) as ReaderWriterLockSlim;

    private static int _adopting;

    /// <summary>Whether this process adopts orphans (<see cref="Become"/> succeeded).</summary>
    public static bool IsAdopting => Volatile.Read(ref _adopting) == 1;

    /// <summary>Makes this process adopt the orphans of its descendants; false where the kernel refuses or
    /// this runtime does not let adopted children be told from its own.</summary>
    public static bool Become()
    {
        if (!OperatingSystem.IsLinux() || TrackedChildren is null || StartLock is null || Prctl(PrSetChildSubreaper, 1, 0, 0, 0) != 0)
        {
            return false;
        }

        Volatile.Write(ref _adopting, 1);
        return true;
    }

    /// <summary>Kills every adopted child of this process with its descendants, and reaps them; returns how many
    /// processes it ended. Children the runtime started are left alone. Does nothing unless <see cref="Become"/> succeeded.</summary>
    public static int EndAdopted()
    {
        if (!IsAdopting)
        {
            return 0;
        }

        var ended = 0;
        lock (Sweeping)
        {
            for (var round = 0; round < MaxRounds; round++)
            {
                var adopted = AdoptedChildren();
                if (adopted.Count == 0)
                {
                    break;
                }

                foreach (var pid in adopted)
                {
                    // Stopped, it forks no more; then its tree is frozen and everything gets SIGKILL. A zombie
                    // ignores both and is only reaped.
                    _ = SendSignal(pid, SigStop);
                    var tree = ProcessTree.Freeze(pid);
                    ProcessTree.Kill(tree);
                    ProcessTree.Kill([pid]);
                    ended += tree.Count + 1;
                }

                foreach (var pid in adopted)
                {
                    // Still our child (a zombie at worst) until reaped here, so its pid cannot have gone to anyone else.
                    while (WaitPid(pid, out _, 0) == -1 && Marshal.GetLastPInvokeError() == Eintr)
                    {
                    }
                }
            }
        }

        return ended;
    }

    /// <summary>This process's children that the runtime did not start.</summary>
    private static List<int> AdoptedChildren()
    {
        var self = Environment.ProcessId;
        var adopted = new List<int>();
        // Under the write lock no Process.Start is between its fork and tracking the child, so a child
        // missing from the table was not started by the runtime.
        StartLock!.EnterWriteLock();
        try
        {
            lock (TrackedChildren!)
            {
                foreach (var child in ProcessTree.Children(self))
                {
                    if (!TrackedChildren.Contains(child))
                    {
                        adopted.Add(child);
                    }
                }
            }
        }
        finally
        {
            StartLock.ExitWriteLock();
        }

        return adopted;
    }

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int SendSignal(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, out int status, int options);
}
