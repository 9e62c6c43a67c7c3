using MailHost.Dns;
using MailHost.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailHost.Filtering.DnsLists;

/// <summary>Registers the DNS list filter from <c>MailHost:Filtering:DnsLists</c>.</summary>
internal static class DnsListFilterRegistration
{
    /// <summary>The section's name under <c>MailHost:Filtering</c>.</summary>
    public const string SectionName = "DnsLists";

    /// <summary>
    /// Binds and checks <see cref="DnsListOptions"/> from <paramref name="filteringSection"/>'s <c>DnsLists</c>
    /// section and, when it lists at least one block or allow list, registers the filter as an
    /// <see cref="IInboundMessageFilter"/> (it needs an <see cref="IDnsResolver"/>; the clock is the registered
    /// <see cref="TimeProvider"/> or the system's).
    /// </summary>
    /// <exception cref="MailHostConfigurationException">A setting is unusable; the message names its key.</exception>
    public static void Add(IServiceCollection services, IConfiguration filteringSection)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(filteringSection);
        var section = filteringSection.GetSection(SectionName);
        var options = new DnsListOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw MailHostConfigurationException.For(section.Path, ex.Message, ex);
        }

        ReadLists(section.GetSection(nameof(options.AllowLists)), options.AllowLists);
        ReadLists(section.GetSection(nameof(options.BlockLists)), options.BlockLists);
        if (DnsListOptionsValidation.FindProblem(options, section.Path) is { } problem)
        {
            throw MailHostConfigurationException.For(problem.Key, problem.Problem);
        }

        if (options.BlockLists.Count == 0 && options.AllowLists.Count == 0)
        {
            return;
        }

        services.AddSingleton<IInboundMessageFilter>(sp => new DnsListFilter(
            options,
            sp.GetRequiredService<IDnsResolver>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetService<ILogger<DnsListFilter>>() ?? NullLogger<DnsListFilter>.Instance));
    }

    /// <summary>
    /// Binds the lists one by one, in place of what <c>Bind</c> made of them: the binder skips a list entry it cannot
    /// bind (an unknown <c>Action</c>, a bare string such as <c>"BlockLists": ["zen.spamhaus.org"]</c>) without a
    /// word, and the server would run without a list the operator meant to use.
    /// </summary>
    private static void ReadLists(IConfigurationSection section, IList<DnsListZone> lists)
    {
        lists.Clear();
        foreach (var entry in section.GetChildren())
        {
            if (entry.Value is { } value)
            {
                throw MailHostConfigurationException.For(entry.Path, $"give the list as an object with a Zone: {{ \"Zone\": \"{value}\" }} (in environment variables: {entry.Path.Replace(":", "__", StringComparison.Ordinal)}__Zone={value}).");
            }

            var zone = new DnsListZone();
            try
            {
                entry.Bind(zone);
            }
            catch (InvalidOperationException ex)
            {
                throw MailHostConfigurationException.For(entry.Path, ex.Message + " Action is Reject or Junk.", ex);
            }

            lists.Add(zone);
        }
    }
}
