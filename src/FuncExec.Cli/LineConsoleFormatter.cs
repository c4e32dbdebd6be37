using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace FuncExec.Cli;

/// <summary>
/// Every log entry as one line of text: <c>level: Category[event] message</c>, as the console's simple single-line
/// format writes it, with every control character shown escaped (<c>\u0000</c>) and line breaks as spaces.
/// </summary>
/// <remarks>
/// Log messages quote what peers sent (a component's file name, a node's error text, a refused frame's reason). A
/// hostile peer's NUL bytes turned a node's whole log into what tools such as <c>grep</c> call a binary file, a line
/// break forged a log line of its own, and a right-to-left override reordered what a reader sees: each is escaped here,
/// for every message, so no call site has to remember to.
/// </remarks>
internal sealed class LineConsoleFormatter : ConsoleFormatter
{
    /// <summary>The formatter's name, for <c>ConsoleLoggerOptions.FormatterName</c>.</summary>
    public const string FormatterName = "funcexec-line";

    private readonly IOptionsMonitor<LineConsoleFormatterOptions> _options;

    public LineConsoleFormatter(IOptionsMonitor<LineConsoleFormatterOptions> options)
        : base(FormatterName) => _options = options;

    /// <inheritdoc />
    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        var options = _options.CurrentValue;
        var line = new StringBuilder(64 + (message?.Length ?? 0));
        if (options.TimestampFormat is { } format)
        {
            var now = options.UseUtcTimestamp ? DateTimeOffset.UtcNow : DateTimeOffset.Now;
            line.Append(now.ToString(format, CultureInfo.InvariantCulture));
        }

        var (level, color) = Level(logEntry.LogLevel);
        if (options.Color)
        {
            line.Append(color).Append(level).Append("\e[39m\e[22m");
        }
        else
        {
            line.Append(level);
        }

        line.Append(": ");
        AppendEscaped(line, logEntry.Category);
        line.Append('[').Append(logEntry.EventId.Id.ToString(CultureInfo.InvariantCulture)).Append("] ");
        AppendEscaped(line, message);
        if (logEntry.Exception is { } exception)
        {
            line.Append(' ');
            AppendEscaped(line, exception.ToString());
        }

        textWriter.Write(line.Append('\n'));
    }

    /// <summary>Appends <paramref name="text"/> as one line: line breaks and tabs as spaces, every other control or
    /// bidirectional formatting character as <c>\uXXXX</c>.</summary>
    internal static void AppendEscaped(StringBuilder line, string? text)
    {
        if (text is null)
        {
            return;
        }

        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (!NeedsEscape(c))
            {
                continue;
            }

            line.Append(text, start, i - start);
            start = i + 1;
            if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                // A Windows line break is one space, as a Unix one is.
                continue;
            }

            if (c is '\n' or '\r' or '\t')
            {
                line.Append(' ');
            }
            else
            {
                line.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
        }

        line.Append(text, start, text.Length - start);
    }

    private static bool NeedsEscape(char c) =>
        char.IsControl(c)
        // Marks and overrides that reorder the text around them, and the line and paragraph separators.
        || c is '\u200e' or '\u200f' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069') or '\u2028' or '\u2029' or '\u061c';

    private static (string Name, string Color) Level(LogLevel level) => level switch
    {
        LogLevel.Trace => ("trce", "\e[37m"),
        LogLevel.Debug => ("dbug", "\e[37m"),
        LogLevel.Information => ("info", "\e[32m"),
        LogLevel.Warning => ("warn", "\e[1m\e[33m"),
        LogLevel.Error => ("fail", "\e[31m"),
        LogLevel.Critical => ("crit", "\e[1m\e[31m"),
        _ => ("none", "\e[39m"),
    };
}

/// <summary>Options of <see cref="LineConsoleFormatter"/>.</summary>
internal sealed class LineConsoleFormatterOptions : ConsoleFormatterOptions
{
    /// <summary>Whether the level is coloured: when standard error is a terminal and <c>NO_COLOR</c> is not set.</summary>
    public bool Color { get; set; } = !Console.IsErrorRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
}
