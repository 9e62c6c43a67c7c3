using System.Net;
using MailHost.Certificates;
using MailHost.Connections;
using MailHost.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

// Kestrel keeps its own ListenOptions and KestrelServerOptions extensions (UseHttps, UseSystemd) here, a namespace
// every ASP.NET Core application imports.
namespace Microsoft.AspNetCore.Hosting;

/// <summary>
/// Turns Kestrel listeners into mail endpoints. The protocol packages build their <c>ListenImap</c>,
/// <c>ListenPop3</c>, <c>ListenSmtp</c> methods on <see cref="ListenMail{THandler}(KestrelServerOptions, IPEndPoint, MailProtocol, Action{MailEndpointOptions}?)"/>;
/// the host builds its listeners from configuration through the same methods.
/// </summary>
public static class MailListenOptionsExtensions
{
    /// <summary>Listens on <paramref name="endpoint"/> and serves <paramref name="protocol"/> with <typeparamref name="THandler"/>.</summary>
    public static KestrelServerOptions ListenMail<THandler>(
        this KestrelServerOptions kestrel,
        IPEndPoint endpoint,
        MailProtocol protocol,
        Action<MailEndpointOptions>? configure = null)
        where THandler : ConnectionHandler
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        var options = new MailEndpointOptions { Protocol = protocol, Name = protocol.ToString() };
        configure?.Invoke(options);
        kestrel.Listen(endpoint, listen => listen.UseMail<THandler>(options));
        return kestrel;
    }

    /// <summary>
    /// Builds the mail connection pipeline on a listener: connection scope and error boundary, PROXY protocol
    /// (if enabled), network policy and limits, TLS in the endpoint's mode, then <typeparamref name="THandler"/>.
    /// </summary>
    /// <exception cref="MailHostConfigurationException">The endpoint needs a certificate and none can be had.</exception>
    public static ListenOptions UseMail<THandler>(this ListenOptions listen, MailEndpointOptions options)
        where THandler : ConnectionHandler
    {
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(options);
        UseMailPipeline(listen, options);
        listen.UseConnectionHandler<THandler>();
        return listen;
    }

    /// <summary>The middleware part of <see cref="UseMail{THandler}"/>, for a handler added by other means.</summary>
    public static ListenOptions UseMailPipeline(this ListenOptions listen, MailEndpointOptions options)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(options);
        var services = listen.ApplicationServices;
        var loggerFactory = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var timeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var logger = loggerFactory.CreateLogger("MailHost.Connections");
        var limits = services.GetService<IOptions<MailHostOptions>>()?.Value.Limits ?? new MailLimitsOptions();
        limits.Validate();

        if (options.Tls != MailTlsMode.None && options.ServerCertificate is null && options.ServerCertificateSelector is null)
        {
            // Every endpoint without a certificate of its own (implicit, STARTTLS and Auto alike) chooses from the one
            // store, so a certificate reloaded or added there is served on all of them.
            var store = services.GetService<ServerCertificateStore>() ?? throw MailHostConfigurationException.For(
                    $"MailHost:Endpoints:{options.Name}:Tls",
                    $"TLS mode {options.Tls} needs a server certificate. Set MailEndpointOptions.ServerCertificate, register MailHost with AddMailHost(), or use Tls=None.");
            services.GetService<ConfiguredCertificateFiles>()?.EnsureLoaded();
            options.CertificateContextSelector = store.SelectContext;
        }

        services.GetService<MailListenerRegistry>()?.Add(new MailListener(options, listen));
        var counter = new ConnectionCounter();
        var gate = new PendingHandshakeGate(options.MaxPendingTlsHandshakes, options.MaxPendingTlsHandshakesPerAddress);
        var handshaker = new TlsHandshaker(options, gate, limits, logger);
        listen.Use(next => new MailConnectionMiddleware(next, options, logger).OnConnectionAsync);
        if (options.ProxyProtocol)
        {
            listen.Use(next => new ProxyProtocolMiddleware(next, options, timeProvider, logger).OnConnectionAsync);
        }

        listen.Use(next => new ConnectionAdmissionMiddleware(next, options, limits, counter, logger).OnConnectionAsync);
        listen.Use(next => new MailTlsMiddleware(next, options, handshaker, timeProvider, logger).OnConnectionAsync);
        return listen;
    }
}
