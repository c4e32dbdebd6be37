namespace FuncExec;

/// <summary>A tool of the resource manager (<c>sbatch</c>, <c>squeue</c>, ...) is not on this machine's PATH.</summary>
/// <remarks>Run the program on a host where the manager's client commands work (a Slurm login host), or install them.</remarks>
public sealed class PilotLauncherMissingException : FuncExecException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Which tool is missing and what to do.</param>
    /// <param name="innerException">The error starting it, if any.</param>
    public PilotLauncherMissingException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
