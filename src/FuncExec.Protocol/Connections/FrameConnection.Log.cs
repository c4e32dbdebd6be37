using Microsoft.Extensions.Logging;

namespace FuncExec.Protocol.Connections;

internal sealed partial class FrameConnection
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Closed the connection to {Remote}: {Reason}")]
    private static partial void LogClosedLocally(ILogger logger, string remote, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "{Remote} closed the connection: {Reason}")]
    private static partial void LogClosedByPeer(ILogger logger, string remote, string reason);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Connection to {Remote} failed ({Kind}): {Reason}")]
    private static partial void LogFailed(ILogger logger, Exception? exception, string remote, CloseReasonKind kind, string reason);

    [LoggerMessage(EventId = 150, Level = LogLevel.Information, Message = "{Remote} closed the connection: {Reason} (and {Suppressed} more like it from {Address} in the last {Seconds} s)")]
    private static partial void LogClosedByPeerRepeatedly(ILogger logger, string remote, string reason, long suppressed, string address, int seconds);

    [LoggerMessage(EventId = 151, Level = LogLevel.Warning, Message = "Connection to {Remote} failed ({Kind}): {Reason} (and {Suppressed} more like it from {Address} in the last {Seconds} s)")]
    private static partial void LogFailedRepeatedly(
        ILogger logger, Exception? exception, string remote, CloseReasonKind kind, string reason, long suppressed, string address, int seconds);
}
