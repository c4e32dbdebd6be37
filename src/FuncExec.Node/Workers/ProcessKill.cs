using System.Diagnostics;

namespace FuncExec.Node.Workers;

internal static class ProcessKill
{
    /// <summary>SIGKILLs <paramref name="process"/>; one that already exited is left as it is,
    /// since whoever reads its end reports that.</summary>
    public static void Quietly(Process? process)
    {
        try
        {
            process?.Kill();
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
    }
}
