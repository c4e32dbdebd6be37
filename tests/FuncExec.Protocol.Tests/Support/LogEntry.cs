using Microsoft.Extensions.Logging;

namespace FuncExec.Protocol.Tests.Support;

internal sealed record LogEntry(LogLevel Level, int EventId, string Message, Exception? Exception);
