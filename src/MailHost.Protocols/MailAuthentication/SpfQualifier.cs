namespace MailHost.Protocols.MailAuthentication;

/// <summary>The qualifier of an SPF directive (RFC 7208 §4.6.2): the result when the mechanism matches.</summary>
public enum SpfQualifier
{
    /// <summary><c>+</c> (the default).</summary>
    Pass = 0,

    /// <summary><c>-</c>.</summary>
    Fail = 1,

    /// <summary><c>~</c>.</summary>
    SoftFail = 2,

    /// <summary><c>?</c>.</summary>
    Neutral = 3,
}
