namespace MailHost.Accounts;

/// <summary>The result of one login attempt, as recorded in the login history.</summary>
public enum LoginOutcome
{
    /// <summary>Credentials verified; the session is authenticated.</summary>
    Succeeded,

    /// <summary>Unknown login or wrong secret (the client is told the same for both).</summary>
    Failed,

    /// <summary>An empty password: refused at once and not counted by the throttle.</summary>
    EmptyPassword,

    /// <summary>Refused without checking because the address or login is temporarily blocked.</summary>
    Throttled,

    /// <summary>The account exists but is disabled.</summary>
    Disabled,

    /// <summary>
    /// The right app password, refused by its own limits: a protocol it does not allow, a client address outside its
    /// networks, or after its expiry (the debug log says which). The client is told the same as for a wrong password.
    /// </summary>
    AppPasswordRestricted,

    /// <summary>
    /// The account's own password was right, but the account requires app passwords for IMAP, POP3 and SMTP (SCRAM
    /// included). The client is told the same as for a wrong password.
    /// </summary>
    AppPasswordRequired,

    /// <summary>
    /// The right credentials, refused by the account's client policy (<c>MailHost:Auth:ClientPolicies</c>): a client
    /// address outside its allowed networks, or a mechanism it does not allow (the debug log says which and names the
    /// rules). The client is told the same as for a wrong password.
    /// </summary>
    PolicyRefused,
}
