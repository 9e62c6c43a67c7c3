using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MailHost.IntegrationTests.Infrastructure;

public sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, string Message, IReadOnlyList<KeyValuePair<string, object?>> Scope);

/// <summary>Keeps every log entry, with the key/value pairs of the scopes active when it was written.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<CapturedLog> Entries { get; } = new();

    public event Action<CapturedLog>? Logged;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    public async Task<CapturedLog> WaitForAsync(Func<CapturedLog, bool> predicate, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<CapturedLog>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLogged(CapturedLog entry)
        {
            if (predicate(entry))
            {
                found.TrySetResult(entry);
            }
        }

        Logged += OnLogged;
        try
        {
            var existing = Entries.FirstOrDefault(predicate);
            if (existing is not null)
            {
                return existing;
            }

            return await found.Task.WaitAsync(timeout);
        }
        finally
        {
            Logged -= OnLogged;
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> entries match.</summary>
    public async Task WaitForCountAsync(Func<CapturedLog, bool> predicate, int count, TimeSpan timeout)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check(CapturedLog _)
        {
            if (Entries.Count(predicate) >= count)
            {
                reached.TrySetResult();
            }
        }

        Logged += Check;
        try
        {
            Check(null!);
            await reached.Task.WaitAsync(timeout);
        }
        finally
        {
            Logged -= Check;
        }
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scope = new List<KeyValuePair<string, object?>>();
            owner._scopes.ForEachScope(
                (value, list) =>
                {
                    if (value is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        list.AddRange(pairs);
                    }
                },
                scope);
            var entry = new CapturedLog(category, logLevel, eventId, formatter(state, exception), scope);
            owner.Entries.Enqueue(entry);
            owner.Logged?.Invoke(entry);
        }
    }
}
