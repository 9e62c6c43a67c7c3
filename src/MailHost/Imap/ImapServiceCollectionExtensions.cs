using MailHost.Hosting;
using MailHost.Imap;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

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
    public static IServiceCollection AddMailHostImap(this IServiceCollection services, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ImapOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(ImapOptions.SectionName));
        }

        services.TryAddSingleton<ImapConnectionHandler>();
        services.AddSingleton(new MailProtocolHandlerRegistration(
            MailProtocol.Imap,
            static (listen, endpoint) => listen.UseMail<ImapConnectionHandler>(endpoint)));
        return services;
    }
}
