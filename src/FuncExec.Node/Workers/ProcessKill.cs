using System.Diagnostics;
using System.Runtime.InteropServices;
using FuncExec.Core.Platform;

namespace FuncExec.Node.Workers;

/// <summary>Kills a worker process with everything it started.</summary>
/// <remarks>
/// A command task runs as a child of its worker, and that child may start its own (a shell's
/// <c>sleep 300 &amp;</c>), which may double-fork or <c>setsid</c> away from it. Each worker is a child
/// subreaper, so such orphans are reparented to the worker rather than to init, and stay findable
/// below it in <c>/proc/PID/task/TID/children</c>. The worker is stopped first, then its tree is
/// frozen (<see cref="ProcessTree.Freeze"/>) so nothing in it can fork while it is killed; then each
/// process and the worker get SIGKILL.
/// </remarks>
internal static partial class ProcessKill
{
    private const int SigStop = 19;

    /// <summary>SIGKILLs <paramref name="process"/> and its descendants; one that already exited is left
    /// as it is, since whoever reads its end reports that.</summary>
    public static void Quietly(Process? process)
    {
        if (process is null)
        {
            return;
        }

        try
        {
            if (process.HasExited)
            {
                return;
            }
        }
        catch (InvalidOperationException)
        {
            // Never started.
            return;
        }

        // Stopped, the worker starts nothing more and adopts no one new; an ESRCH here means it ended
        // meanwhile, and its tree is then looked for all the same.
        _ = SendSignal(process.Id, SigStop);
        var tree = ProcessTree.Freeze(process.Id);
        ProcessTree.Kill(tree);
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int SendSignal(int pid, int signal);
}
