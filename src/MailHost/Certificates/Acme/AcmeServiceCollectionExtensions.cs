using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailHost.Certificates;
using MailHost.Certificates.Acme;
using MailHost.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// Extension methods live in the namespace of the type they extend.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the built-in ACME client.</summary>
public static class AcmeServiceCollectionExtensions
{
    /// <summary>
    /// Obtains and renews the host's certificate from an ACME server (RFC 8555) as configured in
    /// <c>MailHost:Certificates:Acme</c> (<see cref="AcmeOptions"/>), and serves it through
    /// <see cref="IServerCertificateRegistry"/>. Call after <see cref="MailHostServiceCollectionExtensions.AddMailHost"/>.
    /// HTTP-01 and TLS-ALPN-01 answers are published in <see cref="AcmeChallengeResponses"/>, which the application's
    /// HTTP endpoint must serve (the <c>mailhost</c> host does so on <c>MailHost:Http</c>); DNS-01 records go through
    /// <see cref="IAcmeDnsChallenge"/>: the <c>DnsHook</c> script unless the application registers its own.
    /// </summary>
    /// <exception cref="MailHostConfigurationException">A setting is unusable; the message names the key and the fix.</exception>
    public static IServiceCollection AddMailHostAcme(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(AcmeOptions.SectionName);

        // Checked now, so that a mistake stops the start with the key named.
        var hostname = configuration[MailHostOptions.SectionName + ":" + nameof(MailHostOptions.Hostname)] ?? new MailHostOptions().Hostname;
        var settings = AcmeSettings.From(Bind(section), hostname);

        services.AddOptions<AcmeOptions>().Bind(section);
        services.TryAddSingleton(provider => AcmeSettings.From(
            provider.GetRequiredService<IOptions<AcmeOptions>>().Value, provider.GetRequiredService<IOptions<MailHostOptions>>().Value.Hostname));
        services.TryAddSingleton<AcmeChallengeResponses>();
        services.TryAddKeyedSingleton<TimeProvider>(AcmeCertificateService.TimeProviderKey, (provider, _) => provider.GetRequiredService<TimeProvider>());
        if (settings.Options.Challenge == AcmeChallengeType.Dns01 && settings.Options.DnsHook is { } hook)
        {
            services.TryAddSingleton<IAcmeDnsChallenge>(provider => new AcmeDnsHookScript(hook, provider.GetRequiredService<ILogger<AcmeDnsHookScript>>()));
        }

        services.TryAddSingleton(provider => new AcmeCertificateFiles(
            provider.GetRequiredService<IOptions<MailHostOptions>>().Value.DataDirectory, provider.GetRequiredService<AcmeSettings>().Options.DirectoryUrl));
        services.TryAddSingleton(provider => new AcmeTransport(
            AcmeTransport.CreateHttpClient(ExtraRoot(provider.GetRequiredService<AcmeSettings>().Options)),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<AcmeTransport>>()));
        services.TryAddSingleton(provider => new AcmeIssuer(
            provider.GetRequiredService<AcmeCertificateFiles>(),
            provider.GetRequiredService<AcmeTransport>(),
            provider.GetRequiredService<AcmeChallengeResponses>(),
            provider.GetService<IAcmeDnsChallenge>(),
            provider.GetRequiredService<AcmeSettings>().Options,
            provider.GetRequiredService<ILogger<AcmeIssuer>>()));
        services.AddHostedService<AcmeCertificateService>();
        return services;
    }

    private static AcmeOptions Bind(IConfigurationSection section)
    {
        var options = new AcmeOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            // The binder names the value it could not convert (a Challenge that is no type, a flag that is no boolean).
            throw MailHostConfigurationException.For(AcmeOptions.SectionName, $"{ex.Message} Challenge is Http01, TlsAlpn01 or Dns01; AcceptTermsOfService is true or false.", ex);
        }

        return options;
    }

    /// <summary>The test root of <see cref="AcmeOptions.DirectoryCertificate"/>, if set.</summary>
    private static X509Certificate2? ExtraRoot(AcmeOptions options)
    {
        if (options.DirectoryCertificate is not { Length: > 0 } path)
        {
            return null;
        }

        try
        {
            return X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (CryptographicException ex)
        {
            throw MailHostConfigurationException.For(AcmeOptions.SectionName + ":DirectoryCertificate", $"'{path}' is not a PEM certificate ({ex.Message}).", ex);
        }
    }
}
