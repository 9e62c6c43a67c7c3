using System.Text;
using MailHost.Connections;
using MailHost.Logins;
using MailHost.Protocols.Imap;

namespace MailHost.Imap.Handlers;

/// <summary>
/// The not-authenticated state (RFC 9051 §6.2): STARTTLS, LOGIN and AUTHENTICATE, and the failed-login budget of the
/// connection.
/// </summary>
internal sealed class ImapLoginHandler(ImapSessionState session, ImapServices services, IImapConnection connection, ImapCapabilityList capabilities)
{
    private readonly AuthenticationFailureCounter _failures = new(services.MaxLoginFailures);

    public async Task StartTlsAsync(StartTlsCommand command)
    {
        if (!connection.CanStartTls)
        {
            // RFC 9051 §6.2.1; SECURITY A3: never a second STARTTLS.
            // Valid syntax: the refusal does not count toward closing the session.
            session.Writer.WriteTagged(command.Tag, ImapResponseStatus.Bad, null, session.Connection.IsTls ? "TLS is already active" : "STARTTLS is not available");
            return;
        }

        var started = await connection.StartTlsAsync(
            async () =>
            {
                session.Writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "Begin TLS negotiation now");
                await session.Output.FlushAsync().ConfigureAwait(false);
            }).ConfigureAwait(false);
        if (started == StartTlsOutcome.Unavailable)
        {
            // RFC 5530 §3: a temporary failure; the session goes on in plain text.
            session.Writer.WriteTagged(command.Tag, ImapResponseStatus.No, "UNAVAILABLE", "TLS is not available right now, try again later");
            return;
        }

        if (started == StartTlsOutcome.Failed)
        {
            ImapLog.Closing(services.Logger, "TLS handshake failed");
            session.LogOut();
        }
    }

    public async Task LoginAsync(LoginCommand command)
    {
        if (!capabilities.PasswordsAllowed)
        {
            // RFC 9051 §6.2.3 and LOGINDISABLED; SECURITY A4.
            session.Writer.WriteTagged(command.Tag, ImapResponseStatus.No, "PRIVACYREQUIRED", "Plain-text login is not allowed; use STARTTLS first");
            return;
        }

        var context = NewAuthenticationContext();
        var result = await services.Passwords.AuthenticateAsync(command.UserName, command.Password, context, session.Stopping).ConfigureAwait(false);
        await CompleteLoginAsync(command.Tag, result, context).ConfigureAwait(false);
    }

    public async Task AuthenticateAsync(AuthenticateCommand command)
    {
        var info = session.Connection;
        var mechanisms = services.Sasl.GetMechanisms(info.IsTls, info.Endpoint.AllowPlaintextAuthentication);
        var mechanism = mechanisms.FirstOrDefault(m => string.Equals(m, command.Mechanism, StringComparison.OrdinalIgnoreCase));
        if (mechanism is null)
        {
            // A mechanism this server would offer inside TLS (a bearer token one even where passwords may go in plain text).
            if (!info.IsTls && services.Sasl.GetMechanisms(isTls: true).Contains(command.Mechanism, StringComparer.OrdinalIgnoreCase))
            {
                session.Writer.WriteTagged(command.Tag, ImapResponseStatus.No, "PRIVACYREQUIRED", "Authentication is not allowed without TLS; use STARTTLS first");
            }
            else
            {
                session.Writer.WriteTagged(command.Tag, ImapResponseStatus.No, "CANNOT", "Unsupported authentication mechanism");
            }

            return;
        }

        ReadOnlyMemory<byte>? initial = command.InitialResponse is null ? null : Encoding.ASCII.GetBytes(command.InitialResponse);
        var context = NewAuthenticationContext();
        var channel = new ImapSaslChannel(session, connection, services.TimeProvider, command.Tag);
        var result = await services.Sasl.AuthenticateAsync(mechanism, initial, channel, context, session.Stopping).ConfigureAwait(false);
        if (channel.Failed)
        {
            // The channel already answered (a malformed line) or the connection is gone.
            if (channel.Close)
            {
                session.LogOut();
            }

            return;
        }

        await CompleteLoginAsync(command.Tag, result, context).ConfigureAwait(false);
    }

    private AuthenticationContext NewAuthenticationContext()
        => new(AuthenticationContext.Imap, session.Connection.RemoteEndPoint, session.Connection.IsTls)
        {
            ClientName = session.Connection.ClientName,
            AllowPlaintextAuthentication = session.Connection.Endpoint.AllowPlaintextAuthentication,
        };

    private async Task CompleteLoginAsync(string tag, AuthenticationResult result, AuthenticationContext context)
    {
        if (!result.Succeeded)
        {
            ImapLog.LoginFailed(services.Logger, result.Status.ToString());

            // RFC 9051 §6.2.2: a cancelled or undecodable exchange is BAD; refused credentials are NO (RFC 5530 codes).
            var (status, code) = result.Status switch
            {
                AuthenticationStatus.Cancelled or AuthenticationStatus.Malformed or AuthenticationStatus.TooLong => (ImapResponseStatus.Bad, null),
                AuthenticationStatus.EncryptionRequired => (ImapResponseStatus.No, "PRIVACYREQUIRED"),
                AuthenticationStatus.AuthorizationDenied => (ImapResponseStatus.No, "AUTHORIZATIONFAILED"),
                AuthenticationStatus.MechanismNotSupported => (ImapResponseStatus.No, "CANNOT"),
                AuthenticationStatus.Throttled or AuthenticationStatus.TemporaryFailure => (ImapResponseStatus.No, "UNAVAILABLE"),
                _ => (ImapResponseStatus.No, "AUTHENTICATIONFAILED"),
            };
            session.Writer.WriteTagged(tag, status, code, result.Message);
            if (_failures.Record(result))
            {
                session.Writer.WriteUntagged(ImapResponseStatus.Bye, null, "Too many failed logins");
                ImapLog.Closing(services.Logger, "too many failed logins");
                session.LogOut();
            }

            return;
        }

        var opened = await services.Store.OpenAccountAsync(result.Account.Name, session.Stopping).ConfigureAwait(false);
        if (!opened.IsSuccess)
        {
            ImapLog.AccountFailed(services.Logger, result.Account.Name, opened.Error.Message);
            session.Writer.WriteTagged(tag, ImapResponseStatus.No, "UNAVAILABLE", "Mail store unavailable, try again later");
            return;
        }

        // The loop has already reset the bad-command count: this command was valid.
        session.LogIn(opened.Value, result.Account.Name, result.Policy ?? ClientPolicy.None);
        ImapLog.LoggedIn(services.Logger, result.Account.Name, context.Mechanism ?? "?");

        // RFC 9051 §6.2.2: the capabilities may change at login, so the OK carries them (less any the policy hides).
        session.Writer.WriteTagged(tag, ImapResponseStatus.Ok, capabilities.Code(), "Logged in");
    }
}
