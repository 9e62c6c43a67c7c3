using System.Runtime.CompilerServices;
using MailHost.Connections;

namespace MailHost.Server.Administration.Tracing;

/// <summary>
/// Receives the protocol trace (<c>MailHost.Trace.*</c>, Trace level) for <see cref="LiveTraces"/>, whatever the
/// configured log levels say: its loggers are enabled only while a trace records, and keep only lines of connections
/// the trace is about, found from the connection's log scope.
/// </summary>
[ProviderAlias("MailHostLiveTrace")]
internal sealed class LiveTraceLoggerProvider(LiveTraces traces, TimeProvider time) : ILoggerProvider, ISupportExternalScope
{
    /// <summary>The categories of the protocol trace.</summary>
    public const string TraceCategory = "MailHost.Trace";

    private readonly LiveTraces _traces = traces;
    private readonly TimeProvider _time = time;
    private IExternalScopeProvider? _scopes;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    /// <summary>Lets the trace categories reach this provider at Trace level and nothing else reach it.</summary>
    public static void AddFilters(ILoggingBuilder logging)
    {
        logging.AddFilter<LiveTraceLoggerProvider>(null, LogLevel.None);
        logging.AddFilter<LiveTraceLoggerProvider>(TraceCategory, LogLevel.Trace);
    }

    private sealed class Logger(LiveTraceLoggerProvider provider, string category) : ILogger
    {
        private readonly bool _isTrace = category.StartsWith(TraceCategory, StringComparison.Ordinal);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => _isTrace && logLevel == LogLevel.Trace && provider._traces.AnyActive;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            // The connection's scope is its MailConnection (MailConnectionMiddleware), which knows the account once logged in.
            var found = new StrongBox<MailConnection?>();
            provider._scopes?.ForEachScope(
                static (scope, box) =>
                {
                    if (scope is MailConnection mail)
                    {
                        box.Value = mail;
                    }
                },
                found);
            var connection = found.Value;
            if (connection is null)
            {
                return;
            }

            var now = provider._time.GetUtcNow();
            provider._traces.Record(
                connection.Account,
                connection.RemoteEndPoint?.Address is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : connection.RemoteEndPoint?.Address,
                () => new LiveTraceLine(now, connection.ConnectionId, connection.Account, connection.RemoteEndPoint?.ToString(), category, formatter(state, exception)));
        }
    }
}
