using MailHost.Sessions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MailHost.Hosting;

/// <summary>
/// Keeps the host's <see cref="HostOptions.ShutdownTimeout"/> longer than <see cref="MailHostOptions.ShutdownTimeout"/>:
/// when the host's wait ends, Kestrel aborts every connection still open, so a shorter one would cut transfers before
/// their deadline (<see cref="MailShutdown"/>). Only a value left at .NET's default is raised; any other value was
/// chosen by the application (in code or with <c>shutdownTimeoutSeconds</c>) and is kept, with a warning at start
/// when it is too short.
/// </summary>
internal sealed class HostShutdownTimeoutSetup(IOptions<MailHostOptions> mailOptions) : IPostConfigureOptions<HostOptions>
{
    private const string Key = MailHostOptions.SectionName + ":" + nameof(MailHostOptions.ShutdownTimeout);

    /// <summary>Beyond the deadline: a message complete just in time is still stored and acknowledged, then the goodbye flushed.</summary>
    internal static readonly TimeSpan Margin = TimeSpan.FromSeconds(5);

    // .NET's own default (30 s since .NET 6), read from the type rather than restated.
    private static readonly TimeSpan HostDefault = new HostOptions().ShutdownTimeout;

    /// <exception cref="MailHostConfigurationException"><see cref="MailHostOptions.ShutdownTimeout"/> is negative.</exception>
    public void PostConfigure(string? name, HostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var mail = mailOptions.Value.ShutdownTimeout;
        if (mail < TimeSpan.Zero)
        {
            throw MailHostConfigurationException.For(Key, $"'{mail}' is negative. Give how long transfers may finish when the server stops, e.g. 00:00:30 (0 cuts them at once).");
        }

        if (options.ShutdownTimeout == HostDefault && options.ShutdownTimeout < mail + Margin)
        {
            options.ShutdownTimeout = mail + Margin;
        }
    }
}
