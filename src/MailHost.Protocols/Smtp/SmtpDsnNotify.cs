namespace MailHost.Protocols.Smtp;

/// <summary>The RCPT <c>NOTIFY=</c> parameter (RFC 3461 §4.1). <see cref="Never"/> is never combined with the others.</summary>
[Flags]
public enum SmtpDsnNotify
{
    /// <summary>No NOTIFY parameter.</summary>
    Unspecified = 0,

    /// <summary><c>NEVER</c>.</summary>
    Never = 1,

    /// <summary><c>SUCCESS</c>.</summary>
    Success = 2,

    /// <summary><c>FAILURE</c>.</summary>
    Failure = 4,

    /// <summary><c>DELAY</c>.</summary>
    Delay = 8,
}
