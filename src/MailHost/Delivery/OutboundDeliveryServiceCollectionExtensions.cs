using MailHost.Accounts;
using MailHost.Delivery;
using MailHost.Delivery.Notifications;
using MailHost.Delivery.Queue;
using MailHost.Delivery.Transport;
using MailHost.Dkim;
using MailHost.Dns;
using MailHost.Hosting;
using MailHost.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

// Extension methods live in the namespace of the type they extend.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers outbound delivery.</summary>
public static class OutboundDeliveryServiceCollectionExtensions
{
    /// <summary>
    /// Adds outbound delivery: <see cref="OutboundDeliveryOptions"/> (from <c>MailHost:Outbound</c> when
    /// <paramref name="configuration"/> is given), <see cref="IOutboundMailDelivery"/> over the queue, a DNS
    /// resolver over the system's name servers (unless an <see cref="IDnsResolver"/> is registered) and the background worker. Needs an
    /// <see cref="IOutboundQueueStore"/>, an <see cref="IAccountDirectory"/> and an <see cref="IMailStore"/> (for
    /// notifications to local senders). The options are checked when the host starts. Outbound mail is DKIM-signed when an <see cref="IDkimKeyStore"/> is registered
    /// (the SQLite queue registers one) and <see cref="OutboundDeliveryOptions.DkimSign"/> is on.
    /// </summary>
    /// <exception cref="MailHostConfigurationException">A value under <c>MailHost:Outbound</c> of <paramref name="configuration"/> is not usable (checked at once).</exception>
    public static IServiceCollection AddMailHostOutboundDelivery(this IServiceCollection services, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<OutboundDeliveryOptions>();
        if (configuration is not null)
        {
            var section = configuration.GetSection(OutboundDeliveryOptions.SectionName);
            OutboundDeliveryConfigurationReader.Read(section);
            options.Bind(section);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OutboundDeliveryOptions>, OutboundDeliveryOptionsValidation>());
        options.ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<OutboundQueueSignal>();
        services.TryAddSingleton<IDnsResolver, DnsClientResolver>();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<OutboundDeliveryOptions>>().Value);
        services.TryAddSingleton(sp => new OutboundRouter(sp.GetRequiredService<IDnsResolver>(), sp.GetRequiredService<OutboundDeliveryOptions>()));
        services.TryAddSingleton(sp => new SmtpOutboundTransport(
            sp.GetRequiredService<IDnsResolver>(),
            sp.GetRequiredService<OutboundDeliveryOptions>(),
            Hostname(sp),
            sp.GetRequiredService<TimeProvider>(),
            Logger(sp, "MailHost.Delivery.Transport"),
            sp.GetService<IDkimKeyStore>() is { } keys ? new DkimMessageSigner(keys, sp.GetRequiredService<IAccountDirectory>(), sp.GetRequiredService<TimeProvider>(), Logger(sp, "MailHost.Delivery.Signing")) : null));
        services.TryAddSingleton(sp => new DeliveryStatusNotifier(
            sp.GetRequiredService<IAccountDirectory>(),
            sp.GetRequiredService<IMailStore>(),
            sp.GetRequiredService<IOutboundQueueStore>(),
            sp.GetRequiredService<OutboundDeliveryOptions>(),
            Hostname(sp),
            sp.GetRequiredService<TimeProvider>(),
            Logger(sp, "MailHost.Delivery.Notifications")));
        services.TryAddSingleton(sp => new OutboundDeliveryProcessor(
            sp.GetRequiredService<IOutboundQueueStore>(),
            sp.GetRequiredService<OutboundRouter>(),
            sp.GetRequiredService<SmtpOutboundTransport>(),
            sp.GetRequiredService<DeliveryStatusNotifier>(),
            sp.GetRequiredService<OutboundDeliveryOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            Logger(sp, "MailHost.Delivery")));
        services.TryAddSingleton<IOutboundMailDelivery, OutboundQueueDelivery>();
        services.TryAddSingleton(sp => new OutboundQueueSampler(
            sp.GetRequiredService<IOutboundQueueStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<OutboundQueueSampler>>() ?? NullLogger<OutboundQueueSampler>.Instance));
        services.AddSingleton<IHostedService>(sp => new OutboundDeliveryWorker(
            sp.GetRequiredService<OutboundDeliveryProcessor>(),
            sp.GetRequiredService<IOutboundQueueStore>(),
            sp.GetRequiredService<OutboundQueueSignal>(),
            sp.GetRequiredService<OutboundDeliveryOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<OutboundDeliveryWorker>>() ?? NullLogger<OutboundDeliveryWorker>.Instance,
            sp.GetRequiredService<OutboundQueueSampler>()));
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<OutboundQueueSampler>());
        return services;
    }

    private static string Hostname(IServiceProvider services)
        => services.GetRequiredService<OutboundDeliveryOptions>().Hostname is { Length: > 0 } name
            ? name
            : services.GetService<IOptions<MailHostOptions>>()?.Value.Hostname ?? "localhost";

    private static ILogger Logger(IServiceProvider services, string category)
        => services.GetService<ILoggerFactory>()?.CreateLogger(category) ?? NullLogger.Instance;
}
