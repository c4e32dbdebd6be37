using Microsoft.Extensions.Logging;

namespace FuncExec.Hosting.Internal;

internal static partial class HostingLog
{
    [LoggerMessage(700, LogLevel.Information, "FuncExec client: {Cluster} with {Workers} workers")]
    public static partial void ClusterStarted(ILogger logger, string cluster, int workers);

    [LoggerMessage(701, LogLevel.Information, "node {Node}: stopping; draining {Tasks} task(s) in hand for up to {Timeout}")]
    public static partial void Draining(ILogger logger, string node, int tasks, string timeout);

    [LoggerMessage(702, LogLevel.Warning, "node {Node}: {Tasks} task(s) still running after the drain; killing them (the scheduler queues them again for another node, without using an attempt)")]
    public static partial void DrainTimedOut(ILogger logger, string node, int tasks);

    [LoggerMessage(703, LogLevel.Information, "node {Node}: drained; stopping")]
    public static partial void Drained(ILogger logger, string node);

    [LoggerMessage(704, LogLevel.Critical, "scheduler: the journal can no longer be written ({Reason}); stopping")]
    public static partial void JournalLost(ILogger logger, string reason);
}
