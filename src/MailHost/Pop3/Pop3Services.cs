using MailHost.Logins;
using MailHost.Sessions;
using MailHost.Storage;

namespace MailHost.Pop3;

/// <summary>The singletons every POP3 session uses, built once by the <see cref="Pop3ConnectionHandler"/>.</summary>
internal sealed class Pop3Services
{
    /// <summary>The store holding each account's INBOX.</summary>
    public required IMailStore Store { get; init; }

    /// <summary>Checks USER/PASS logins.</summary>
    public required PasswordAuthenticator Passwords { get; init; }

    /// <summary>Runs AUTH exchanges (RFC 5034).</summary>
    public required SaslAuthenticator Sasl { get; init; }

    /// <summary>One POP3 session per maildrop (RFC 1939 §8).</summary>
    public required IMaildropLocks Locks { get; init; }

    /// <summary>The POP3 settings.</summary>
    public required Pop3Options Options { get; init; }

    /// <summary>The login settings (failures allowed per connection).</summary>
    public required AuthenticationOptions Authentication { get; init; }

    /// <summary>The settings of each session's connection mechanics.</summary>
    public required MailSessionSettings Connection { get; init; }
}
