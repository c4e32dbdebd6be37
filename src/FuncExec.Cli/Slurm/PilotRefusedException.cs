namespace FuncExec.Cli.Slurm;

/// <summary>The resource manager refused a request (a job, a query, a cancel); the message carries its own words.</summary>
internal sealed class PilotRefusedException(string message, Exception? innerException = null)
    : FuncExecException(message, innerException);
