using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailHost.Tests.Hosting;

public sealed class ListenMailEndpointsTests
{
    [Fact]
    public void Endpoints_of_protocols_without_a_registered_handler_are_logged_and_skipped()
    {
        var logged = new List<(EventId Id, string Message)>();
        var services = new ServiceCollection()
            .AddLogging(b => b.AddProvider(new ListLoggerProvider(logged)).SetMinimumLevel(LogLevel.Trace))
            .BuildServiceProvider();
        var kestrel = new KestrelServerOptions { ApplicationServices = services };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MailHost:Endpoints:Mx:Url"] = "smtp://127.0.0.1:0",
            ["MailHost:Endpoints:Off:Url"] = "imap://127.0.0.1:0",
            ["MailHost:Endpoints:Off:Enabled"] = "false",
        }).Build();

        var added = kestrel.ListenMailEndpoints(configuration);

        added.Should().BeEmpty();
        logged.Should().Contain(e => e.Id.Id == 1301 && e.Message == "Endpoint Mx (smtp://127.0.0.1:0) not started: no Smtp service is registered in this build");
        logged.Should().Contain(e => e.Id.Id == 1300 && e.Message == "Endpoint Off is disabled");
    }

    private sealed class ListLoggerProvider(List<(EventId, string)> entries) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ListLogger(entries);

        public void Dispose()
        {
        }

        private sealed class ListLogger(List<(EventId, string)> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (entries)
                {
                    entries.Add((eventId, formatter(state, exception)));
                }
            }
        }
    }
}
