using MailHost.Hosting;
using MailHost.Imap;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// Extension methods live in the namespace of the type they extend.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the IMAP service.</summary>
public static class ImapServiceCollectionExtensions
{
    /// <summary>
    /// Adds IMAP: the connection handler, <see cref="ImapOptions"/> (from <c>MailHost:Imap</c> when
    /// <paramref name="configuration"/> is given) and the registration that lets <c>imap://</c> and <c>imaps://</c>
    /// endpoints from configuration start. Needs <c>AddMailHost</c>, an <see cref="MailHost.Accounts.IAccountDirectory"/>
    /// and an <see cref="MailHost.Storage.IMailStore"/>.
    /// </summary>
    /// <exception cref="MailHostConfigurationException">A time limit under <c>MailHost:Imap</c> of <paramref name="configuration"/> is not usable (checked at once; values set in code are checked when the host starts).</exception>
    public static IServiceCollection AddMailHostImap(this IServiceCollection services, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ImapOptions>();
        if (configuration is not null)
        {
            var section = configuration.GetSection(ImapOptions.SectionName);
            ProtocolTimeLimitsValidation.CheckConfiguration<ImapOptions>(section, ProtocolTimeLimitsValidation.FindProblem);
            options.Bind(section);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ImapOptions>, ProtocolTimeLimitsValidation>());
        options.ValidateOnStart();

        services.AddMailShutdown();
        services.TryAddSingleton<ImapConnectionHandler>();
        services.AddSingleton(new MailProtocolHandlerRegistration(
            MailProtocol.Imap,
            static (listen, endpoint) => listen.UseMail<ImapConnectionHandler>(endpoint)));
        return services;
    }
}
