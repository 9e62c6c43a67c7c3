namespace MailHost.Protocols.Smtp;

/// <summary>The MAIL <c>BODY=</c> parameter.</summary>
public enum SmtpBodyType
{
    /// <summary>No BODY parameter (treat as 7BIT).</summary>
    Unspecified = 0,

    /// <summary><c>BODY=7BIT</c> (RFC 6152).</summary>
    SevenBit = 1,

    /// <summary><c>BODY=8BITMIME</c> (RFC 6152).</summary>
    EightBitMime = 2,

    /// <summary><c>BODY=BINARYMIME</c> (RFC 3030 §3): the message must come with BDAT, never DATA.</summary>
    BinaryMime = 3,
}
