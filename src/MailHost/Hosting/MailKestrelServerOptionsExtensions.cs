using System.Net;
using MailHost.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

// Kestrel keeps its own ListenOptions and KestrelServerOptions extensions (UseHttps, UseSystemd) here, a namespace
// every ASP.NET Core application imports.
namespace Microsoft.AspNetCore.Hosting;

/// <summary>Builds Kestrel listeners from the <c>MailHost:Endpoints</c> configuration.</summary>
public static partial class MailKestrelServerOptionsExtensions
{
    /// <summary>
    /// Adds a listener for every enabled endpoint under <c>MailHost:Endpoints</c> whose protocol has a registered
    /// handler (<see cref="MailProtocolHandlerRegistration"/>; the last one registered for a protocol wins); endpoints of
    /// protocols not in this build are logged and skipped.
    /// </summary>
    /// <returns>The endpoints that were added.</returns>
    /// <exception cref="MailHostConfigurationException">The configuration is invalid.</exception>
    public static IReadOnlyList<MailEndpointDefinition> ListenMailEndpoints(this KestrelServerOptions kestrel, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(configuration);
        var services = kestrel.ApplicationServices;
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger("MailHost.Hosting") ?? NullLogger.Instance;
        // As with other services, the last registration for a protocol wins: an application can replace a handler.
        var registrations = new Dictionary<MailProtocol, MailProtocolHandlerRegistration>();
        foreach (var registration in services.GetServices<MailProtocolHandlerRegistration>())
        {
            registrations[registration.Protocol] = registration;
        }

        var added = new List<MailEndpointDefinition>();
        foreach (var endpoint in MailEndpointConfigurationReader.Read(configuration.GetSection(MailHostOptions.SectionName + ":Endpoints")))
        {
            if (!endpoint.Enabled)
            {
                LogDisabled(logger, endpoint.Name);
                continue;
            }

            if (!registrations.TryGetValue(endpoint.Options.Protocol, out var registration))
            {
                LogNoHandler(logger, endpoint.Name, endpoint.Url, endpoint.Options.Protocol);
                continue;
            }

            void Configure(ListenOptions listen) => registration.UseHandler(listen, endpoint.Options);
            if (endpoint.IsLocalhost)
            {
                kestrel.ListenLocalhost(endpoint.Port, Configure);
            }
            else if (endpoint.Address is null)
            {
                kestrel.ListenAnyIP(endpoint.Port, Configure);
            }
            else
            {
                kestrel.Listen(new IPEndPoint(endpoint.Address, endpoint.Port), Configure);
            }

            added.Add(endpoint);
        }

        return added;
    }

    [LoggerMessage(1300, LogLevel.Information, "Endpoint {Endpoint} is disabled")]
    private static partial void LogDisabled(ILogger logger, string endpoint);

    [LoggerMessage(1301, LogLevel.Warning, "Endpoint {Endpoint} ({Url}) not started: no {Protocol} service is registered in this build")]
    private static partial void LogNoHandler(ILogger logger, string endpoint, string url, MailProtocol protocol);
}
