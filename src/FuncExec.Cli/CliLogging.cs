using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace FuncExec.Cli;

/// <summary>Logs go to standard error, so standard output holds only results.</summary>
internal static class CliLogging
{
    public static ILoggerFactory Create(bool debug) => Create(debug ? LogLevel.Debug : LogLevel.Warning);

    /// <summary>Console logging at <paramref name="level"/>, built when something is first logged at that level.</summary>
    public static ILoggerFactory Create(LogLevel level) => new DeferredLoggerFactory(level, () => LoggerFactory.Create(builder => Configure(builder, level)));

    /// <summary>Sets up <paramref name="builder"/> (a factory's, or a generic host's) to log as every verb does.</summary>
    public static void Configure(ILoggingBuilder builder, LogLevel level)
    {
        var debug = level <= LogLevel.Debug;
        builder.ClearProviders();
        builder.SetMinimumLevel(level)
            .AddFilter("Microsoft", LogLevel.Warning)
            // A server that fails to start (a port in use) is reported once, as the command's own error.
            .AddFilter("Microsoft.Extensions.Hosting", LogLevel.None)
            .AddConsole(options => options.FormatterName = LineConsoleFormatter.FormatterName)
            // One line per entry, with what peers sent escaped: a NUL or a line break in a message cannot corrupt the log.
            .AddConsoleFormatter<LineConsoleFormatter, LineConsoleFormatterOptions>(options => options.TimestampFormat = debug ? "HH:mm:ss.fff " : null);
        builder.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
    }
}
