namespace MailHost.Logins;

/// <summary>What the throttle says about an attempt before its password is checked.</summary>
internal enum ThrottleVerdict
{
    /// <summary>Neither the address nor the login is blocked.</summary>
    Open,

    /// <summary>Refuse without checking: the address is blocked, or the login is and this address failed recently too.</summary>
    Blocked,

    /// <summary>
    /// The login is blocked by failures from elsewhere, but this address has none of its own: check the password
    /// (after the longest delay), let the right one in and answer a wrong one as blocked.
    /// </summary>
    LoginBlockedElsewhere,
}
