using MailHost.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailHost.Filtering.Rspamd;

/// <summary>Registers the rspamd filter and Junk learner from <c>MailHost:Filtering:Rspamd</c> (<see cref="RspamdOptions"/>).</summary>
internal static class RspamdFilterRegistration
{
    /// <summary>
    /// Binds and checks <c>Rspamd</c> under <paramref name="filteringSection"/> (<c>MailHost:Filtering</c>). With
    /// <see cref="RspamdOptions.Url"/> set, registers the filter; with <see cref="RspamdOptions.ControllerUrl"/> set and
    /// <see cref="RspamdOptions.LearnFromJunkMoves"/> on, the learner (also without <c>Url</c>, for an rspamd that
    /// another MTA in front of MailHost asks). Both are singletons owning their HTTP client, disposed with the container.
    /// </summary>
    /// <exception cref="MailHostConfigurationException">A setting is unusable; the message names its key.</exception>
    public static void Add(IServiceCollection services, IConfiguration filteringSection)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(filteringSection);
        var options = Bind(filteringSection.GetSection("Rspamd"));
        Validate(options);
        if (!string.IsNullOrWhiteSpace(options.Url))
        {
            services.AddSingleton<IInboundMessageFilter>(provider => new RspamdFilter(
                options, provider.GetService<ILogger<RspamdFilter>>() ?? NullLogger<RspamdFilter>.Instance));
        }

        if (!string.IsNullOrWhiteSpace(options.ControllerUrl) && options.LearnFromJunkMoves)
        {
            services.AddSingleton<IJunkLearner>(provider => new RspamdJunkLearner(
                options, provider.GetService<ILogger<RspamdJunkLearner>>() ?? NullLogger<RspamdJunkLearner>.Instance));
        }
    }

    /// <summary>Throws for the first unusable setting, naming its key and the fix.</summary>
    internal static void Validate(RspamdOptions options)
    {
        const string Key = RspamdOptions.SectionName + ":";
        CheckUrl(options.Url, Key + nameof(RspamdOptions.Url), "http://127.0.0.1:11333");
        CheckUrl(options.ControllerUrl, Key + nameof(RspamdOptions.ControllerUrl), "http://127.0.0.1:11334");
        if (options.Password is { } password && password.Any(char.IsControl))
        {
            throw MailHostConfigurationException.For(Key + nameof(RspamdOptions.Password), "contains a control character (a line break?); it goes into an HTTP header.");
        }

        if (options.MaxMessageSize <= 0)
        {
            throw MailHostConfigurationException.For(Key + nameof(RspamdOptions.MaxMessageSize), $"{options.MaxMessageSize} is not a positive number of octets such as {RspamdOptions.DefaultMaxMessageSize}.");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            throw MailHostConfigurationException.For(Key + nameof(RspamdOptions.Timeout), $"{options.Timeout} is not a positive time span such as 00:00:15.");
        }
    }

    private static RspamdOptions Bind(IConfigurationSection section)
    {
        var options = new RspamdOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            // The binder names the value it could not convert (a Timeout that is no time span, a flag that is no boolean).
            throw MailHostConfigurationException.For(RspamdOptions.SectionName, $"{ex.Message} Timeout is a time span such as 00:00:15; OnFailure is TempFail or Accept.", ex);
        }

        return options;
    }

    private static void CheckUrl(string? url, string key, string example)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw MailHostConfigurationException.For(key, $"'{url}' is not an absolute http or https URL such as {example}.");
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw MailHostConfigurationException.For(key, $"'{url}' has a query or fragment; give the worker's base URL such as {example}.");
        }
    }
}
