using MailHost.Storage;
using MailHost.Hosting;
using MailHost.Pop3;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// Extension methods live in the namespace of the type they extend.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the POP3 service.</summary>
public static class Pop3ServiceCollectionExtensions
{
    /// <summary>
    /// Adds POP3: the connection handler, the maildrop locks, <see cref="Pop3Options"/> (from <c>MailHost:Pop3</c> when
    /// <paramref name="configuration"/> is given) and the registration that lets <c>pop3://</c> and <c>pop3s://</c>
    /// endpoints from configuration start. Needs <c>AddMailHost</c>, an <see cref="MailHost.Accounts.IAccountDirectory"/>
    /// and an <see cref="MailHost.Storage.IMailStore"/>.
    /// </summary>
    /// <exception cref="MailHostConfigurationException">A time limit under <c>MailHost:Pop3</c> of <paramref name="configuration"/> is not usable (checked at once; values set in code are checked when the host starts).</exception>
    public static IServiceCollection AddMailHostPop3(this IServiceCollection services, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<Pop3Options>();
        if (configuration is not null)
        {
            var section = configuration.GetSection(Pop3Options.SectionName);
            ProtocolTimeLimitsValidation.CheckConfiguration<Pop3Options>(section, ProtocolTimeLimitsValidation.FindProblem);
            options.Bind(section);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Pop3Options>, ProtocolTimeLimitsValidation>());
        options.ValidateOnStart();

        services.TryAddSingleton<IMaildropLocks, Pop3MaildropLocks>();
        services.AddMailShutdown();
        services.TryAddSingleton<Pop3ConnectionHandler>();
        services.AddSingleton(new MailProtocolHandlerRegistration(
            MailProtocol.Pop3,
            static (listen, endpoint) => listen.UseMail<Pop3ConnectionHandler>(endpoint)));
        return services;
    }
}
