using Microsoft.Extensions.Logging;

namespace FuncExec;

internal static partial class BrokerLog
{
    [LoggerMessage(400, LogLevel.Information, "serving {Queue} from {Url}: up to {Prefetch} tasks at a time on {Workers} workers")]
    public static partial void Serving(ILogger logger, string queue, string url, int prefetch, int workers);

    [LoggerMessage(401, LogLevel.Warning, "lost the broker {Url} ({Reason}); unacknowledged tasks go back to the queue; reconnecting in {Delay}")]
    public static partial void ConnectionLost(ILogger logger, string url, string reason, string delay);

    [LoggerMessage(402, LogLevel.Warning, "cannot reach the broker {Url} ({Reason}); retrying in {Delay}")]
    public static partial void ReconnectFailed(ILogger logger, string url, string reason, string delay);

    [LoggerMessage(403, LogLevel.Warning, "task {TaskId} sent to the dead-letter queue: {Problem}")]
    public static partial void Refused(ILogger logger, string taskId, string problem);

    [LoggerMessage(404, LogLevel.Warning, "the result of task {TaskId} could not be delivered: its reply queue {ReplyTo} does not exist")]
    public static partial void ReplyQueueMissing(ILogger logger, string taskId, string replyTo);

    [LoggerMessage(405, LogLevel.Warning, "the broker refused the result of task {TaskId}; the task goes back to the queue")]
    public static partial void ResultRefused(ILogger logger, string taskId);

    [LoggerMessage(406, LogLevel.Error, "the cluster did not run {Count} tasks ({Reason}); they go back to the queue")]
    public static partial void RunFailed(ILogger logger, int count, string reason);
}
