using Microsoft.Extensions.Logging;

namespace FuncExec.Dashboard;

internal static partial class DashboardLog
{
    [LoggerMessage(300, LogLevel.Information, "dashboard on {Url} (kill and cancel: {Actions}; reading: {Reads})")]
    public static partial void Listening(ILogger logger, string url, string actions, string reads);

    [LoggerMessage(301, LogLevel.Warning, "dashboard refused to {Action} task {TaskId} for {Remote}: {Reason}")]
    public static partial void ActionRefused(ILogger logger, string action, long taskId, string remote, string reason);

    [LoggerMessage(302, LogLevel.Information, "dashboard: {Action} task {TaskId} for {Remote}: {Outcome}")]
    public static partial void ActionTaken(ILogger logger, string action, long taskId, string remote, string outcome);

    [LoggerMessage(303, LogLevel.Debug, "dashboard: could not build the live view: {Reason}")]
    public static partial void ViewFailed(ILogger logger, string reason);

    [LoggerMessage(304, LogLevel.Debug, "dashboard: a page stopped listening: {Reason}")]
    public static partial void ListenerLeft(ILogger logger, string reason);

    [LoggerMessage(305, LogLevel.Warning, "dashboard on {Url} is reachable beyond this machine and the cluster has no secret: only loopback callers can read it or act on it; set --secret, or keep --dashboard-ip at 127.0.0.1")]
    public static partial void OpenToTheNetwork(ILogger logger, string url);

    [LoggerMessage(306, LogLevel.Warning, "dashboard refused a request for host '{Host}' from {Remote}: not a name it answers to (later ones are logged at debug level); add the name with --dashboard-host if it is yours")]
    public static partial void HostRefused(ILogger logger, string host, string remote);

    [LoggerMessage(307, LogLevel.Debug, "dashboard refused a request for host '{Host}' from {Remote}")]
    public static partial void HostRefusedAgain(ILogger logger, string host, string remote);

    [LoggerMessage(308, LogLevel.Debug, "dashboard refused a {Method} to {Path} from a page of another origin ({Origin}) from {Remote}")]
    public static partial void CrossOriginRefused(ILogger logger, string method, string path, string origin, string remote);
}
