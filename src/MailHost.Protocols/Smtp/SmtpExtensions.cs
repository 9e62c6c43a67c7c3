namespace MailHost.Protocols.Smtp;

/// <summary>
/// The SMTP service extensions a server offers. The parser refuses MAIL/RCPT parameters of extensions that are not
/// offered (RFC 5321 §4.1.1.11: 555), and <see cref="SmtpReplyWriter.WriteEhlo"/> advertises the same set.
/// </summary>
[Flags]
public enum SmtpExtensions
{
    /// <summary>Plain RFC 5321.</summary>
    None = 0,

    /// <summary>PIPELINING (RFC 2920).</summary>
    Pipelining = 1 << 0,

    /// <summary>8BITMIME (RFC 6152): <c>BODY=8BITMIME</c>.</summary>
    EightBitMime = 1 << 1,

    /// <summary>SMTPUTF8 (RFC 6531): the <c>SMTPUTF8</c> MAIL parameter and UTF-8 addresses.</summary>
    SmtpUtf8 = 1 << 2,

    /// <summary>SIZE (RFC 1870): the <c>SIZE=</c> MAIL parameter.</summary>
    Size = 1 << 3,

    /// <summary>STARTTLS (RFC 3207).</summary>
    StartTls = 1 << 4,

    /// <summary>AUTH (RFC 4954): the <c>AUTH=</c> MAIL parameter.</summary>
    Auth = 1 << 5,

    /// <summary>CHUNKING (RFC 3030): BDAT.</summary>
    Chunking = 1 << 6,

    /// <summary>BINARYMIME (RFC 3030): <c>BODY=BINARYMIME</c>.</summary>
    BinaryMime = 1 << 7,

    /// <summary>DSN (RFC 3461): RET, ENVID, NOTIFY, ORCPT.</summary>
    Dsn = 1 << 8,

    /// <summary>ENHANCEDSTATUSCODES (RFC 2034).</summary>
    EnhancedStatusCodes = 1 << 9,

    /// <summary>Everything above.</summary>
    All = Pipelining | EightBitMime | SmtpUtf8 | Size | StartTls | Auth | Chunking | BinaryMime | Dsn | EnhancedStatusCodes,
}
