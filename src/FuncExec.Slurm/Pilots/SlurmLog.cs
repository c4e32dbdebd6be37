using Microsoft.Extensions.Logging;

namespace FuncExec.Slurm.Pilots;

internal static partial class SlurmLog
{
    [LoggerMessage(520, LogLevel.Debug, "{Program} {Arguments}")]
    public static partial void Running(ILogger logger, string program, string arguments);

    [LoggerMessage(521, LogLevel.Debug, "{Program} exited with code {ExitCode}; stderr: {Stderr}")]
    public static partial void Exited(ILogger logger, string program, int exitCode, string stderr);

    [LoggerMessage(522, LogLevel.Debug, "job {JobId}: {State} {Reason}; waiting for {Missing} to join the scheduler at {Scheduler}")]
    public static partial void Waiting(ILogger logger, string jobId, string state, string reason, string missing, string scheduler);
}
