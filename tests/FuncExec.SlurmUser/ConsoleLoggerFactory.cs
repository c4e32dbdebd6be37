using Microsoft.Extensions.Logging;

namespace FuncExec.SlurmUser;

/// <summary>Writes every log line to standard output, as "log LEVEL CATEGORY: message", for the test to read.</summary>
internal sealed class ConsoleLoggerFactory : ILoggerFactory, ILogger
{
    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            Console.WriteLine($"log {logLevel} {eventId.Id}: {formatter(state, exception)}");
        }
    }

    public void Dispose()
    {
    }
}
