using Microsoft.Extensions.Logging;

namespace FuncExec.Cli.SshCluster;

internal static partial class ClusterLog
{
    [LoggerMessage(500, LogLevel.Debug, "{Host}: ssh {Arguments}")]
    public static partial void Running(ILogger logger, string host, string arguments);

    [LoggerMessage(501, LogLevel.Debug, "{Host}: ssh exited with code {ExitCode}; stderr: {Stderr}")]
    public static partial void Exited(ILogger logger, string host, int exitCode, string stderr);

    [LoggerMessage(502, LogLevel.Debug, "waiting for {Missing} to join the scheduler at {Scheduler}")]
    public static partial void Waiting(ILogger logger, string missing, string scheduler);
}
