using MailHost.Hosting;
using MailHost.Smtp;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// Extension methods live in the namespace of the type they extend.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the SMTP service.</summary>
public static class SmtpServiceCollectionExtensions
{
    /// <summary>
    /// Adds SMTP: the connection handler, <see cref="SmtpOptions"/> (from <c>MailHost:Smtp</c> when
    /// <paramref name="configuration"/> is given) and the registrations that let <c>smtp://</c> (MX),
    /// <c>submission://</c> and <c>submissions://</c> endpoints from configuration start. Needs <c>AddMailHost</c>,
    /// an <see cref="MailHost.Accounts.IAccountDirectory"/> and an <see cref="MailHost.Storage.IMailStore"/>; an
    /// <see cref="MailHost.Delivery.IOutboundMailDelivery"/> is used when registered. Inbound mail authentication
    /// for the MX endpoint is added too (<see cref="MailAuthenticationServiceCollectionExtensions.AddMailHostMailAuthentication"/>),
    /// and the inbound filter pipeline (<see cref="FilteringServiceCollectionExtensions.AddMailHostFiltering"/>).
    /// </summary>
    /// <exception cref="MailHostConfigurationException">A time limit under <c>MailHost:Smtp</c> of <paramref name="configuration"/> is not usable (checked at once; values set in code are checked when the host starts).</exception>
    public static IServiceCollection AddMailHostSmtp(this IServiceCollection services, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SmtpOptions>();
        if (configuration is not null)
        {
            var section = configuration.GetSection(SmtpOptions.SectionName);
            ProtocolTimeLimitsValidation.CheckConfiguration<SmtpOptions>(section, ProtocolTimeLimitsValidation.FindProblem);
            options.Bind(section);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SmtpOptions>, ProtocolTimeLimitsValidation>());
        options.ValidateOnStart();

        services.AddMailHostMailAuthentication(configuration);
        services.AddMailHostFiltering(configuration);
        services.AddMailShutdown();
        services.TryAddSingleton<SmtpConnectionHandler>();
        services.AddSingleton(new MailProtocolHandlerRegistration(
            MailProtocol.Smtp,
            static (listen, endpoint) => listen.UseMail<SmtpConnectionHandler>(endpoint)));
        services.AddSingleton(new MailProtocolHandlerRegistration(
            MailProtocol.Submission,
            static (listen, endpoint) => listen.UseMail<SmtpConnectionHandler>(endpoint)));
        return services;
    }
}
