using MailHost.Protocols.Sasl;

namespace MailHost.Protocols.Smtp;

/// <summary>Limits and offered extensions for <see cref="SmtpCommandParser"/>.</summary>
public sealed class SmtpParserOptions
{
    /// <summary>RFC 5321 §4.5.3.1.4: a command line is at most 512 octets including the command word and CRLF.</summary>
    public const int RfcMaxCommandLineLength = 512;

    /// <summary>The longest command line other than MAIL, RCPT and AUTH, CRLF included. Default 512.</summary>
    public int MaxCommandLineLength { get; init; } = RfcMaxCommandLineLength;

    /// <summary>
    /// The longest MAIL or RCPT line, CRLF included. RFC 1869 §4.1.2 lets each extension raise the limit for its
    /// parameters; default 2048.
    /// </summary>
    public int MaxParameterLineLength { get; init; } = 2048;

    /// <summary>
    /// The longest SASL response in octets without CRLF, both as an AUTH initial response and as a line answering
    /// a 334 challenge. RFC 4954 §4: 12288; longer gets <c>500 5.5.6</c>.
    /// </summary>
    public int MaxAuthResponseLength { get; init; } = SaslWireFormat.MaxResponseLength;

    /// <summary>
    /// The fixed maximum message size: <c>SIZE=</c> and <c>BDAT</c> sizes above it get <c>552 5.3.4</c>.
    /// Default <see cref="long.MaxValue"/> (only the 64-bit range is checked).
    /// </summary>
    public long MaxMessageSize { get; init; } = long.MaxValue;

    /// <summary>The offered extensions. Default <see cref="SmtpExtensions.All"/>.</summary>
    public SmtpExtensions Extensions { get; init; } = SmtpExtensions.All;
}
