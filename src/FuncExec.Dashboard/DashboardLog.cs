using Microsoft.Extensions.Logging;

namespace FuncExec.Dashboard;

internal static partial class DashboardLog
{
    [LoggerMessage(300, LogLevel.Information, "dashboard on {Url} (kill and cancel: {Actions})")]
    public static partial void Listening(ILogger logger, string url, string actions);

    [LoggerMessage(301, LogLevel.Warning, "dashboard refused to {Action} task {TaskId} for {Remote}: {Reason}")]
    public static partial void ActionRefused(ILogger logger, string action, long taskId, string remote, string reason);

    [LoggerMessage(302, LogLevel.Information, "dashboard: {Action} task {TaskId} for {Remote}: {Outcome}")]
    public static partial void ActionTaken(ILogger logger, string action, long taskId, string remote, string outcome);

    [LoggerMessage(303, LogLevel.Debug, "dashboard: could not build the live view: {Reason}")]
    public static partial void ViewFailed(ILogger logger, string reason);

    [LoggerMessage(304, LogLevel.Debug, "dashboard: a page stopped listening: {Reason}")]
    public static partial void ListenerLeft(ILogger logger, string reason);

    [LoggerMessage(305, LogLevel.Warning, "dashboard on {Url} is reachable beyond this machine and the cluster has no secret: anyone who reaches it can read it (kill and cancel stay loopback-only); set --secret, or keep --dashboard-ip at 127.0.0.1")]
    public static partial void OpenToTheNetwork(ILogger logger, string url);
}
