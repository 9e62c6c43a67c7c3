using MailHost.Protocols.Sasl;

namespace MailHost.Protocols.Pop3;

/// <summary>Limits for <see cref="Pop3CommandParser"/>.</summary>
public sealed class Pop3ParserOptions
{
    /// <summary>RFC 2449 §4: "Commands ... MUST NOT exceed 255 octets, including the terminating CRLF".</summary>
    public const int RfcMaxCommandLineLength = 255;

    /// <summary>The longest command line other than AUTH, CRLF included. Default 255.</summary>
    public int MaxCommandLineLength { get; init; } = RfcMaxCommandLineLength;

    /// <summary>
    /// The longest SASL response in octets without CRLF, as an AUTH initial response (RFC 5034 §4 lifts the 255
    /// limit for it) and as a line answering a <c>+</c> challenge. Default 12288, as SMTP (RFC 4954 §4).
    /// </summary>
    public int MaxAuthResponseLength { get; init; } = SaslWireFormat.MaxResponseLength;
}
