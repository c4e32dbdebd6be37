using Microsoft.Extensions.Logging;

namespace FuncExec.Cli;

/// <summary>
/// A logger factory that builds the real one (<see cref="CliLogging"/>'s console logging, with its dependency injection,
/// options and configuration) only when something is logged at its level or above: a plain <c>funcexec run</c>
/// logs nothing, and its first result need not wait for that machinery to load.
/// </summary>
/// <remarks>Below <see cref="_level"/> every logger answers <see cref="ILogger.IsEnabled"/> false without building
/// anything; at or above it, the real logger decides, with its per-category filters.</remarks>
internal sealed class DeferredLoggerFactory : ILoggerFactory
{
    private readonly LogLevel _level;
    private readonly Lazy<ILoggerFactory> _real;

    public DeferredLoggerFactory(LogLevel level, Func<ILoggerFactory> create)
    {
        _level = level;
        _real = new Lazy<ILoggerFactory>(create, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public ILogger CreateLogger(string categoryName) => new DeferredLogger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => _real.Value.AddProvider(provider);

    public void Dispose()
    {
        if (_real.IsValueCreated)
        {
            _real.Value.Dispose();
        }
    }

    private sealed class DeferredLogger(DeferredLoggerFactory factory, string category) : ILogger
    {
        private ILogger? _real;

        private ILogger Real => Volatile.Read(ref _real) ?? Interlocked.CompareExchange(ref _real, factory._real.Value.CreateLogger(category), null) ?? _real!;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => Real.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= factory._level && Real.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Real.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
