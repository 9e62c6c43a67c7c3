using System.Xml.Linq;
using MailHost.Hosting;

namespace MailHost.Server.Onboarding;

/// <summary>
/// Mozilla's autoconfig file, clientConfig version 1.1, as Thunderbird (and K-9/Thunderbird for Android, Evolution,
/// KMail) fetch it from <c>autoconfig.DOMAIN/mail/config-v1.1.xml?emailaddress=...</c> or
/// <c>DOMAIN/.well-known/autoconfig/mail/config-v1.1.xml</c>. Format: the Autoconfig wiki page "ConfigFileFormat"
/// (wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat).
/// </summary>
internal static class ThunderbirdAutoconfig
{
    /// <summary>The content type Thunderbird expects (it parses any XML type).</summary>
    public const string ContentType = "application/xml; charset=utf-8";

    /// <summary>
    /// The configuration for <paramref name="address"/>. The provider id is the address's domain; the domain entries
    /// are the host's local domains. Servers are listed in order of preference, since Thunderbird tries the first
    /// incoming server (IMAP before POP3) and the first outgoing one.
    /// </summary>
    public static XDocument Create(MailClientSettings settings, OnboardingAddress address, IReadOnlyList<string> localDomains)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(localDomains);
        var provider = new XElement("emailProvider", new XAttribute("id", address.Domain));
        foreach (var domain in localDomains)
        {
            provider.Add(new XElement("domain", domain));
        }

        provider.Add(
            new XElement("displayName", address.Domain + " mail"),
            new XElement("displayShortName", address.Domain));
        foreach (var endpoint in settings.For(MailProtocol.Imap).Concat(settings.For(MailProtocol.Pop3)))
        {
            provider.Add(Server("incomingServer", endpoint.Protocol == MailProtocol.Imap ? "imap" : "pop3", endpoint, settings));
        }

        foreach (var endpoint in settings.For(MailProtocol.Submission))
        {
            provider.Add(Server("outgoingServer", "smtp", endpoint, settings));
        }

        return new XDocument(
            new XDeclaration("1.0", "utf-8", null),
            new XElement("clientConfig", new XAttribute("version", "1.1"), provider));
    }

    private static XElement Server(string element, string type, MailClientEndpoint endpoint, MailClientSettings settings) =>
        new(element, new XAttribute("type", type),
            new XElement("hostname", settings.Hostname),
            new XElement("port", endpoint.Port),
            // "SSL" is TLS from the first byte, "STARTTLS" the upgrade; "plain" is never offered.
            new XElement("socketType", endpoint.ImplicitTls ? "SSL" : "STARTTLS"),
            // The password travels as typed (SASL PLAIN/LOGIN), always inside TLS here.
            new XElement("authentication", "password-cleartext"),
            // Placeholders the client fills in from the address the user typed.
            new XElement("username", settings.LoginName == LoginNameForm.LocalPart ? "%EMAILLOCALPART%" : "%EMAILADDRESS%"));
}
