namespace MailHost.Protocols.Smtp;

/// <summary>The MAIL <c>RET=</c> parameter (RFC 3461 §4.3).</summary>
public enum SmtpDsnReturn
{
    /// <summary>No RET parameter.</summary>
    Unspecified = 0,

    /// <summary><c>RET=FULL</c>: return the whole message in a DSN.</summary>
    Full = 1,

    /// <summary><c>RET=HDRS</c>: return only the header.</summary>
    Headers = 2,
}
