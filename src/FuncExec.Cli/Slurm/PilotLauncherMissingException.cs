namespace FuncExec.Cli.Slurm;

/// <summary>A tool of the resource manager (<c>sbatch</c>, <c>squeue</c>, ...) is not on this machine's PATH.</summary>
internal sealed class PilotLauncherMissingException(string message, Exception? innerException = null)
    : FuncExecException(message, innerException);
