using System.Net;
using MailHost.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailHost.IntegrationTests.Infrastructure;

/// <summary>A Kestrel host on 127.0.0.1:0 with one mail endpoint served by <typeparamref name="THandler"/>.</summary>
public sealed class TestMailServer<THandler> : IAsyncDisposable
    where THandler : ConnectionHandler
{
    private readonly WebApplication _app;
    private ListenOptions? _listen;

    private TestMailServer(WebApplication app) => _app = app;

    public int Port => _listen!.IPEndPoint!.Port;

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    public IServiceProvider Services => _app.Services;

    public static async Task<TestMailServer<THandler>> StartAsync(Action<MailEndpointOptions> configure, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder();

        // The test folder holds the host's appsettings.json; these servers are configured in code only.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        var logs = new CapturingLoggerProvider();
        builder.Logging.AddProvider(logs);
        builder.Services.AddMailHost();
        services?.Invoke(builder.Services);
        var options = new MailEndpointOptions
        {
            Name = "Test",
            Protocol = MailProtocol.Imap,
            ServerCertificate = TestCertificate.Certificate,
        };
        configure(options);
        ListenOptions? captured = null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            captured = listen;
            listen.UseMail<THandler>(options);
        }));
        var app = builder.Build();
        var server = new TestMailServer<THandler>(app);
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        server._listen = captured;
        server.Logs = logs;
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }

    public CapturingLoggerProvider Logs { get; private set; } = null!;
}
