using MailHost.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace MailHost.Filtering.ClamAv;

/// <summary>Registers the ClamAV filter from <c>MailHost:Filtering:ClamAv</c> when its <c>Address</c> is set.</summary>
internal static class ClamAvFilterRegistration
{
    /// <summary>The sub-section of <c>MailHost:Filtering</c>.</summary>
    public const string SectionName = "ClamAv";

    /// <summary>The smallest and largest <see cref="ClamAvOptions.ChunkSize"/>.</summary>
    public const int MinChunkSize = 1024;

    /// <inheritdoc cref="MinChunkSize"/>
    public const int MaxChunkSize = 16 * 1024 * 1024;

    /// <summary>
    /// Binds and checks the options; when <see cref="ClamAvOptions.Address"/> is set, registers the filter as an
    /// <see cref="IInboundMessageFilter"/> and its <see cref="ClamdClient"/> (for a health check).
    /// </summary>
    /// <exception cref="MailHostConfigurationException">A setting is unusable; the message names the key.</exception>
    public static void Add(IServiceCollection services, IConfiguration filteringSection)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(filteringSection);
        var section = filteringSection.GetSection(SectionName);
        var options = new ClamAvOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            // The binder names the value it could not convert.
            throw MailHostConfigurationException.For(section.Path, $"{ex.Message} MaxScanSize and ChunkSize are numbers of octets, Timeout a time span such as 00:00:30, OnFailure TempFail or Accept.", ex);
        }

        if (string.IsNullOrWhiteSpace(options.Address))
        {
            return;
        }

        var client = new ClamdClient(Validate(options, section.Path), options.ChunkSize);
        services.TryAddSingleton(client);
        services.AddSingleton<IInboundMessageFilter>(provider => new ClamAvFilter(
            options, client, provider.GetRequiredService<ILogger<ClamAvFilter>>(), provider.GetService<TimeProvider>() ?? TimeProvider.System));
    }

    /// <summary>Checks every setting of a configured filter and returns the parsed address.</summary>
    /// <param name="options">The bound options, <see cref="ClamAvOptions.Address"/> set.</param>
    /// <param name="sectionPath">The section's configuration path, for the key in the message.</param>
    public static ClamdAddress Validate(ClamAvOptions options, string sectionPath)
    {
        if (!ClamdAddress.TryParse(options.Address, out var address, out var error))
        {
            throw MailHostConfigurationException.For(Key(sectionPath, nameof(options.Address)), error);
        }

        if (options.MaxScanSize <= 0)
        {
            throw MailHostConfigurationException.For(Key(sectionPath, nameof(options.MaxScanSize)), $"{options.MaxScanSize} is not a positive number of octets; clamd's default StreamMaxLength is {ClamAvOptions.DefaultMaxScanSize} (25 MiB).");
        }

        if (options.ChunkSize is < MinChunkSize or > MaxChunkSize)
        {
            throw MailHostConfigurationException.For(Key(sectionPath, nameof(options.ChunkSize)), $"{options.ChunkSize} is not from {MinChunkSize} to {MaxChunkSize} octets; the default is {ClamAvOptions.DefaultChunkSize}.");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            throw MailHostConfigurationException.For(Key(sectionPath, nameof(options.Timeout)), $"{options.Timeout} is not a positive time span such as 00:00:30.");
        }

        if (!Enum.IsDefined(options.OnFailure))
        {
            throw MailHostConfigurationException.For(Key(sectionPath, nameof(options.OnFailure)), $"{options.OnFailure} is not TempFail or Accept.");
        }

        return address;
    }

    private static string Key(string sectionPath, string name) => sectionPath + ":" + name;
}
