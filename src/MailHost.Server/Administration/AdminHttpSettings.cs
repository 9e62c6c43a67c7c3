using System.Net;
using MailHost.Hosting;
using MailHost.Server.Onboarding;

namespace MailHost.Server.Administration;

/// <summary>
/// The administration endpoint: <c>MailHost:Admin:Url</c>, for example <c>http://localhost:8480</c> (the shipped
/// default) or <c>https://*:8443</c>. It serves the web console, the management API, metrics and health. Off when the
/// key is empty. Plain HTTP is accepted on loopback only: anywhere else the endpoint carries passwords and session
/// cookies, so it must be HTTPS (with the mail certificate), or loopback behind a TLS proxy.
/// </summary>
internal sealed record AdminHttpSettings(HttpListenAddress Address, bool Https, int SignInsPerMinute)
{
    public const string UrlKey = "MailHost:Admin:Url";

    /// <summary>How many sign-in attempts one client address may make per minute (default 10).</summary>
    public const string SignInsPerMinuteKey = "MailHost:Admin:SignInsPerMinute";

    private const int DefaultSignInsPerMinute = 10;

    /// <summary>The settings, or <see langword="null"/> when the endpoint is off.</summary>
    /// <exception cref="MailHostConfigurationException">The URL is malformed, or plain HTTP listens beyond loopback.</exception>
    public static AdminHttpSettings? Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var url = configuration[UrlKey];
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }

        var https = url.TrimStart().StartsWith("https:", StringComparison.OrdinalIgnoreCase);
        var address = HttpListenAddress.Parse(url, https ? "https" : "http", UrlKey);
        if (!https && !address.IsLocalhost && (address.Address is null || !IPAddress.IsLoopback(address.Address)))
        {
            throw new MailHostConfigurationException(
                $"{UrlKey}: '{url}' would serve sign-ins and session cookies over plain HTTP beyond this machine. Use https:// (the mail certificate is used), or a loopback address behind a TLS proxy.")
            { Key = UrlKey };
        }

        var limit = configuration[SignInsPerMinuteKey];
        var signIns = DefaultSignInsPerMinute;
        if (!string.IsNullOrWhiteSpace(limit) && (!int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out signIns) || signIns < 1))
        {
            throw new MailHostConfigurationException($"{SignInsPerMinuteKey}: '{limit}' is not a whole number of at least 1.") { Key = SignInsPerMinuteKey };
        }

        return new AdminHttpSettings(address, https, signIns);
    }
}
