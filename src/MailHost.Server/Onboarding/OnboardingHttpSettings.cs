
namespace MailHost.Server.Onboarding;

/// <summary>
/// The host's HTTP endpoint for client onboarding: <c>MailHost:Http:Url</c> (plain HTTP, e.g. <c>http://*:80</c>) and
/// <c>MailHost:Http:HttpsUrl</c> (HTTPS with the mail certificate, e.g. <c>https://*:443</c>). Both are off unless set:
/// the host never opens an HTTP port on its own.
/// </summary>
internal sealed record OnboardingHttpSettings(HttpListenAddress? Http, HttpListenAddress? Https)
{
    public const string UrlKey = "MailHost:Http:Url";
    public const string HttpsUrlKey = "MailHost:Http:HttpsUrl";

    /// <summary>Whether either listener is configured.</summary>
    public bool IsEnabled => Http is not null || Https is not null;

    /// <summary>Reads both keys; an empty value means off.</summary>
    /// <exception cref="MailHost.Hosting.MailHostConfigurationException">A URL is malformed.</exception>
    public static OnboardingHttpSettings Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new OnboardingHttpSettings(Read(configuration, UrlKey, "http"), Read(configuration, HttpsUrlKey, "https"));
    }

    private static HttpListenAddress? Read(IConfiguration configuration, string key, string scheme)
    {
        var url = configuration[key];
        return string.IsNullOrWhiteSpace(url) ? null : HttpListenAddress.Parse(url, scheme, key);
    }
}
