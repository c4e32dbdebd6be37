using Microsoft.Extensions.Logging;

namespace FuncExec.Cli;

/// <summary>Logs go to standard error, so standard output holds only results.</summary>
internal static class CliLogging
{
    public static ILoggerFactory Create(bool debug) => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(debug ? LogLevel.Debug : LogLevel.Warning)
        .AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = debug ? "HH:mm:ss.fff " : null;
        })
        .AddFilter("Microsoft", LogLevel.Warning)
        .Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
}
