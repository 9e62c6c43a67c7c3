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
}
