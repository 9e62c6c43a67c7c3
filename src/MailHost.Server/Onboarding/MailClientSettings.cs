using MailHost.Hosting;

namespace MailHost.Server.Onboarding;

/// <summary>
/// What every onboarding format says, in one place: the server name, the enabled endpoints a client may use, and the
/// login name form. The formats (<see cref="ThunderbirdAutoconfig"/>, <see cref="OutlookAutodiscover"/>,
/// <see cref="AppleMailProfile"/>) only write it down.
/// </summary>
internal sealed class MailClientSettings(string hostname, IReadOnlyList<MailClientEndpoint> endpoints, LoginNameForm loginName)
{
    /// <summary><c>MailHost:Hostname</c>: the name clients connect to and the certificate names.</summary>
    public string Hostname { get; } = hostname;

    /// <summary>The login name form every format advertises.</summary>
    public LoginNameForm LoginName { get; } = loginName;

    /// <summary>The endpoints of <paramref name="protocol"/>, implicit TLS first (RFC 8314 §3: preferred), then by port.</summary>
    public IEnumerable<MailClientEndpoint> For(MailProtocol protocol) =>
        endpoints.Where(e => e.Protocol == protocol).OrderBy(e => e.ImplicitTls ? 0 : 1).ThenBy(e => e.Port);

    /// <summary>The one endpoint of <paramref name="protocol"/> to offer where a format has room for one only.</summary>
    public MailClientEndpoint? Preferred(MailProtocol protocol) => For(protocol).FirstOrDefault();

    /// <summary>The login name for <paramref name="address"/>, for formats that carry a literal name.</summary>
    public string LoginNameFor(OnboardingAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return LoginName == LoginNameForm.LocalPart ? address.LocalPart : address.Address;
    }
}
