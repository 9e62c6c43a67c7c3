using MailHost.Hosting;
using MailHost.Logins;
using Microsoft.Extensions.Options;

namespace MailHost.Server.Onboarding;

/// <summary>Builds <see cref="MailClientSettings"/> from what the host really runs: its active listeners and options.</summary>
internal sealed class MailClientSettingsSource(
    MailListenerRegistry registry,
    IOptions<MailHostOptions> hostOptions,
    IOptions<AuthenticationOptions> authOptions)
{
    /// <summary>
    /// The settings now. Only IMAP, POP3 and submission endpoints are listed: the MX endpoint (port 25) is for other
    /// servers, and a client that submits there is refused relaying (RFC 6409 §1). An endpoint without TLS is left out
    /// even when plain-text logins are allowed on it: that is for a TLS proxy in front, not for clients.
    /// </summary>
    public MailClientSettings Current()
    {
        var endpoints = new List<MailClientEndpoint>();
        foreach (var listener in registry.Listeners)
        {
            var options = listener.Options;
            if (options.Protocol == MailProtocol.Smtp || options.Tls == MailTlsMode.None || listener.EndPoint is not { } bound)
            {
                continue;
            }

            // An Auto endpoint also takes TLS at once, but clients know a plain-text port as a STARTTLS port.
            var endpoint = new MailClientEndpoint(options.Protocol, bound.Port, options.Tls == MailTlsMode.Implicit);
            if (!endpoints.Contains(endpoint))
            {
                endpoints.Add(endpoint);
            }
        }

        return new MailClientSettings(hostOptions.Value.Hostname, endpoints, LoginNameFormOf(authOptions.Value.LoginIdentity));
    }

    /// <summary>
    /// The login name form for a <see cref="LoginIdentityMode"/>. Modes that accept addresses get the address: it always
    /// names the right account (own address or alias). <see cref="LoginIdentityMode.AccountName"/> gets the local part:
    /// account names are chosen freely (<c>mailhost users add NAME --address ...</c>) and cannot be derived from an
    /// address, and looking the name up would tell anyone which addresses have accounts; the local part is right for
    /// the usual <c>alice</c> with <c>alice@example.com</c>, and otherwise the user corrects it in the client.
    /// </summary>
    internal static LoginNameForm LoginNameFormOf(LoginIdentityMode mode) =>
        mode == LoginIdentityMode.AccountName ? LoginNameForm.LocalPart : LoginNameForm.EmailAddress;
}
