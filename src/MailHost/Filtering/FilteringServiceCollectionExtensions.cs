using MailHost.Filtering;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

// Extension methods live in the namespace of the type they extend.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the inbound filter pipeline, its shipped filters and filters of the application's own.</summary>
public static class FilteringServiceCollectionExtensions
{
    /// <summary>
    /// Adds the inbound filter pipeline that SMTP sessions run (<see cref="InboundFilteringOptions"/> from
    /// <c>MailHost:Filtering</c> when <paramref name="configuration"/> is given) and the Junk training queue that IMAP
    /// COPY and MOVE feed. The shipped filters are added for the sections that configure them: <c>DnsLists</c>
    /// (block and allow lists, RFC 5782), <c>ClamAv</c> (clamd) and <c>Rspamd</c> (with Junk training through its
    /// controller). Calling it again adds nothing twice; the first call with a configuration adds the configured
    /// filters. <c>AddMailHostSmtp</c> calls it.
    /// </summary>
    /// <exception cref="MailHost.Hosting.MailHostConfigurationException">A filter's section of <paramref name="configuration"/> is not usable.</exception>
    public static IServiceCollection AddMailHostFiltering(this IServiceCollection services, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(d => d.ServiceType == typeof(FilteringMarker)))
        {
            services.AddSingleton<FilteringMarker>();
            services.AddOptions<InboundFilteringOptions>();
            services.TryAddSingleton(TimeProvider.System);
            services.TryAddSingleton<InboundFilterPipeline>();
            services.TryAddSingleton<JunkTrainingQueue>();
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<JunkTrainingQueue>());
        }

        // The configured filters once, whichever call brings the configuration first.
        if (configuration is not null && !services.Any(d => d.ServiceType == typeof(ConfiguredMarker)))
        {
            services.AddSingleton<ConfiguredMarker>();
            var section = configuration.GetSection(InboundFilteringOptions.SectionName);
            services.AddOptions<InboundFilteringOptions>().Bind(section);
            MailHost.Filtering.DnsLists.DnsListFilterRegistration.Add(services, section);
            MailHost.Filtering.ClamAv.ClamAvFilterRegistration.Add(services, section);
            MailHost.Filtering.Rspamd.RspamdFilterRegistration.Add(services, section);
        }

        return services;
    }

    /// <summary>
    /// Adds <typeparamref name="TFilter"/> to the inbound filter pipeline (a singleton made by the container), where it
    /// runs by its <see cref="InboundFilterPolicy.Order"/>.
    /// </summary>
    public static IServiceCollection AddInboundMessageFilter<TFilter>(this IServiceCollection services)
        where TFilter : class, IInboundMessageFilter
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<IInboundMessageFilter, TFilter>();
        return services;
    }

    /// <summary>Adds <typeparamref name="TLearner"/> to the learners that users' moves into and out of Junk teach.</summary>
    public static IServiceCollection AddJunkLearner<TLearner>(this IServiceCollection services)
        where TLearner : class, IJunkLearner
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<IJunkLearner, TLearner>();
        return services;
    }

    /// <summary>Marks the pipeline as added, so a second call (the host's and <c>AddMailHostSmtp</c>'s) adds nothing.</summary>
    private sealed class FilteringMarker;

    /// <summary>Marks the configured filters as added.</summary>
    private sealed class ConfiguredMarker;
}
