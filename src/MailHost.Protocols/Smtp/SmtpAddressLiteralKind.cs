namespace MailHost.Protocols.Smtp;

/// <summary>The forms of <c>address-literal</c> (RFC 5321 §4.1.3).</summary>
public enum SmtpAddressLiteralKind
{
    /// <summary><c>[192.0.2.1]</c>.</summary>
    IPv4 = 0,

    /// <summary><c>[IPv6:2001:db8::1]</c>.</summary>
    IPv6 = 1,

    /// <summary><c>[tag:content]</c>, a General-address-literal with a standardized tag.</summary>
    General = 2,
}
