using Microsoft.Extensions.Logging;

namespace FuncExec.Journal;

internal static partial class JournalLog
{
    [LoggerMessage(601, LogLevel.Critical, "lost the lease on the journal {Journal}: the connection that holds it failed ({Reason})")]
    public static partial void LeaseLost(ILogger logger, string journal, string reason);

    [LoggerMessage(602, LogLevel.Warning, "standby: cannot reach the journal {Journal} ({Reason}); trying again")]
    public static partial void StandbyReconnecting(ILogger logger, string journal, string reason);

    [LoggerMessage(610, LogLevel.Information, "{What}")]
    public static partial void StandingBy(ILogger logger, string what);

    [LoggerMessage(611, LogLevel.Information, "holds the journal {Journal} after standing by {Seconds:0.0} s; starting to serve")]
    public static partial void Serving(ILogger logger, string journal, double seconds);

    [LoggerMessage(612, LogLevel.Critical, "lost the journal {Journal} (its database connection broke, or its lock was taken): stopping at once and exiting with code {ExitCode}, so a standby scheduler can take over; restart this one and it stands by")]
    public static partial void Exiting(ILogger logger, string journal, int exitCode);

    [LoggerMessage(613, LogLevel.Critical, "still running {Seconds:0} s after losing the journal {Journal}; ending the process now")]
    public static partial void ForcedExit(ILogger logger, string journal, double seconds);
}
