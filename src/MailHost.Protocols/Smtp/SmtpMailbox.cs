using System.Text;

namespace MailHost.Protocols.Smtp;

/// <summary>
/// A <c>Mailbox</c> (RFC 5321 §4.1.2: <c>Local-part "@" ( Domain / address-literal )</c>), parsed exactly so policy
/// code can judge relay tricks (SECURITY E1): the local part is decoded but its quoting is reported, and routing
/// characters inside it are visible through <see cref="HasRoutingCharacters"/>.
/// </summary>
/// <param name="LocalPart">
/// The local part with quoting removed: <c>"a b"@x</c> gives <c>a b</c>, <c>"v@ext"@x</c> gives <c>v@ext</c>.
/// Compare it case-sensitively unless policy says otherwise (RFC 5321 §2.4).
/// </param>
/// <param name="Domain">
/// The domain as sent (case kept), or the address literal with its brackets; empty only for the special
/// <c>&lt;Postmaster&gt;</c> recipient (RFC 5321 §4.1.1.3).
/// </param>
public sealed record SmtpMailbox(string LocalPart, string Domain)
{
    /// <summary>Whether the local part was sent as a <c>Quoted-string</c>.</summary>
    public bool IsQuotedLocalPart { get; init; }

    /// <summary>The literal when <see cref="Domain"/> is an <c>address-literal</c>; otherwise <see langword="null"/>.</summary>
    public SmtpAddressLiteral? AddressLiteral { get; init; }

    /// <summary>
    /// Whether the local part contains <c>%</c>, <c>@</c> or <c>!</c>: the "percent hack", a quoted address and UUCP
    /// bang paths, which some systems route on and which must never make an address relay (SECURITY E1).
    /// </summary>
    public bool HasRoutingCharacters => LocalPart.AsSpan().IndexOfAny("%@!") >= 0;

    /// <summary>Whether local part and domain are all ASCII (otherwise SMTPUTF8 was needed, RFC 6531).</summary>
    public bool IsAscii => Ascii.IsValid(LocalPart) && Ascii.IsValid(Domain);

    /// <summary>The mailbox in RFC 5321 form, quoting the local part when it is not a Dot-string.</summary>
    public override string ToString()
    {
        var local = SmtpGrammar.IsDotString(LocalPart) ? LocalPart : SmtpGrammar.Quote(LocalPart);
        return Domain.Length == 0 ? local : local + "@" + Domain;
    }
}
