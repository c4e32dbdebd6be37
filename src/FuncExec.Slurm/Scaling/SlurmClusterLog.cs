using Microsoft.Extensions.Logging;

namespace FuncExec.Slurm.Scaling;

internal static partial class SlurmClusterLog
{
    [LoggerMessage(530, LogLevel.Information, "scaling (target {Target} nodes): {Decision}")]
    public static partial void Decided(ILogger logger, int target, string decision);

    [LoggerMessage(531, LogLevel.Warning, "adaptive scaling: {Problem}")]
    public static partial void RoundFailed(ILogger logger, string problem, Exception exception);

    [LoggerMessage(532, LogLevel.Information, "stopping pilot jobs: {Report}")]
    public static partial void Stopping(ILogger logger, string report);
}
