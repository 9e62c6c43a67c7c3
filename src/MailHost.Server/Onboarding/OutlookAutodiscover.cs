using System.Globalization;
using System.Xml.Linq;
using MailHost.Hosting;

namespace MailHost.Server.Onboarding;

/// <summary>
/// The POX autodiscover response for Outlook ("plain old XML" autodiscover, Exchange 2007 and later; the element
/// reference is Microsoft's "POX Autodiscover XML elements for Exchange"): an <c>Account</c> of type <c>email</c> with
/// one <c>Protocol</c> each for IMAP, SMTP submission and POP3. Outlook reads the first <c>Protocol</c> of each type,
/// so only the preferred endpoint of each is written.
/// </summary>
internal static class OutlookAutodiscover
{
    /// <summary>The response schema Outlook asks for in <c>AcceptableResponseSchema</c>.</summary>
    public const string OutlookResponseSchema = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

    /// <summary>The content type of both the request and the response.</summary>
    public const string ContentType = "text/xml; charset=utf-8";

    private static readonly XNamespace Root = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
    private static readonly XNamespace Outlook = OutlookResponseSchema;

    /// <summary>The settings for <paramref name="address"/>, with its login name written out (POX has no placeholders).</summary>
    public static XDocument Create(MailClientSettings settings, OnboardingAddress address)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(address);
        var account = new XElement(Outlook + "Account",
            new XElement(Outlook + "AccountType", "email"),
            new XElement(Outlook + "Action", "settings"));
        foreach (var (protocol, type) in new[] { (MailProtocol.Imap, "IMAP"), (MailProtocol.Submission, "SMTP"), (MailProtocol.Pop3, "POP3") })
        {
            if (settings.Preferred(protocol) is { } endpoint)
            {
                account.Add(Protocol(type, endpoint, settings.Hostname, settings.LoginNameFor(address)));
            }
        }

        return Wrap(new XElement(Outlook + "Response",
            new XElement(Outlook + "User", new XElement(Outlook + "DisplayName", address.Address)),
            account));
    }

    /// <summary>
    /// The answer to a request for another response schema (an ActiveSync device's <c>mobilesync</c> schema): error
    /// 601, "provider not found", as Exchange answers it (MS-ASCMD §2.2.3.64), so the client moves on.
    /// </summary>
    public static XDocument ProviderNotAvailable(string requestedSchema)
    {
        XNamespace requested = requestedSchema;
        return Wrap(new XElement(requested + "Response",
            new XElement(requested + "Error",
                new XElement(requested + "ErrorCode", "601"),
                new XElement(requested + "Message", "Provider is not available"),
                new XElement(requested + "DebugData"))));
    }

    private static XDocument Wrap(XElement response) =>
        new(new XDeclaration("1.0", "utf-8", null), new XElement(Root + "Autodiscover", response));

    private static XElement Protocol(string type, MailClientEndpoint endpoint, string hostname, string loginName) =>
        new(Outlook + "Protocol",
            new XElement(Outlook + "Type", type),
            new XElement(Outlook + "Server", hostname),
            new XElement(Outlook + "Port", endpoint.Port.ToString(CultureInfo.InvariantCulture)),
            new XElement(Outlook + "LoginName", loginName),
            new XElement(Outlook + "DomainRequired", "off"),
            // SPA is NTLM ("Secure Password Authentication"), which MailHost does not offer; absent means on.
            new XElement(Outlook + "SPA", "off"),
            // SSL "on" asks for a secure connection; Encryption says which kind: SSL = implicit TLS, TLS = STARTTLS.
            new XElement(Outlook + "SSL", "on"),
            new XElement(Outlook + "Encryption", endpoint.ImplicitTls ? "SSL" : "TLS"),
            new XElement(Outlook + "AuthRequired", "on"));
}
