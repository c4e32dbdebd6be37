using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace FuncExec.Cli.Tests;

/// <summary>What every verb's log writes: one line of text per entry, whatever a peer put in the message.</summary>
public sealed class LineConsoleFormatterTests
{
    [Fact]
    public void Write_MessageWithNulLineBreaksAndABidiOverride_OneLineWithEachEscaped()
    {
        var line = Format(LogLevel.Error, "refused component x\0y\nfail: forged\r\nz\u202e\u0007", exception: null);

        Assert.Equal("fail: FuncExec.Node[113] refused component x\\u0000y fail: forged z\\u202e\\u0007\n", line);
    }

    [Fact]
    public void Write_WithAnException_ItsTextOnTheSameLine()
    {
        var line = Format(LogLevel.Warning, "lost the scheduler", new InvalidDataException("bad\nframe"));

        Assert.StartsWith("warn: FuncExec.Node[113] lost the scheduler System.IO.InvalidDataException: bad frame", line, StringComparison.Ordinal);
        Assert.Single(line.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Configure_TheFormatterEveryVerbUses_IsThisOne()
    {
        using var services = Services();

        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue;

        Assert.Equal(LineConsoleFormatter.FormatterName, options.FormatterName);
        Assert.Equal(LogLevel.Trace, options.LogToStandardErrorThreshold);
    }

    private static string Format(LogLevel level, string message, Exception? exception)
    {
        using var services = Services();
        var formatter = services.GetServices<ConsoleFormatter>().Single(f => f.Name == LineConsoleFormatter.FormatterName);
        var writer = new StringWriter();
        var entry = new LogEntry<string>(level, "FuncExec.Node", new EventId(113), message, exception, (state, _) => state);
        formatter.Write(entry, null, writer);
        return writer.ToString();
    }

    private static ServiceProvider Services()
    {
        var services = new ServiceCollection();
        // As every verb's logging is set up, without colour (a test's standard error may be a terminal).
        services.AddLogging(builder => CliLogging.Configure(builder, LogLevel.Warning));
        services.Configure<LineConsoleFormatterOptions>(options => options.Color = false);
        return services.BuildServiceProvider();
    }
}
