using Microsoft.Extensions.Logging;

namespace MailHost.Tests.Sessions;

/// <summary>A logger factory that records every line logged and every category asked for, at every level.</summary>
internal sealed class TraceLoggers : ILoggerFactory
{
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];
    private readonly List<string> _categories = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock)
            {
                return [.. _lines];
            }
        }
    }

    public IReadOnlyList<string> Categories
    {
        get
        {
            lock (_lock)
            {
                return [.. _categories];
            }
        }
    }

    public ILogger CreateLogger(string categoryName)
    {
        lock (_lock)
        {
            _categories.Add(categoryName);
        }

        return new Recorder(this);
    }

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        lock (_lock)
        {
            _lines.Add(line);
        }
    }

    private sealed class Recorder(TraceLoggers owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => owner.Add(formatter(state, exception));
    }
}
