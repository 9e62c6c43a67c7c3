namespace MailHost.Protocols.MailAuthentication;

/// <summary>The results of SPF's check_host() (RFC 7208 §2.6), as Authentication-Results spells them (RFC 8601 §2.7.2).</summary>
public enum SpfResult
{
    /// <summary>No SPF record, or no usable identity (§2.6.1).</summary>
    None = 0,

    /// <summary>The domain states nothing about the client (§2.6.2), also the default when nothing matched.</summary>
    Neutral = 1,

    /// <summary>The client is authorized (§2.6.3).</summary>
    Pass = 2,

    /// <summary>The client is explicitly not authorized (§2.6.4).</summary>
    Fail = 3,

    /// <summary>The client is probably not authorized (§2.6.5).</summary>
    SoftFail = 4,

    /// <summary>A transient (generally DNS) error (§2.6.6).</summary>
    TempError = 5,

    /// <summary>The published records could not be interpreted, or a limit was exceeded (§2.6.7).</summary>
    PermError = 6,
}
