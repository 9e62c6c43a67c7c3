using System.Text;

namespace MailHost.Protocols.Imap;

/// <summary>
/// Mailbox names as the parser hands them over. A name is decoded from modified UTF-7 (RFC 3501 §5.1.3), or from
/// UTF-8 once the session enabled UTF8=ACCEPT or IMAP4rev2 (RFC 6855 §3, RFC 9051 §5.1). A name whose octets do not
/// decode is still a valid astring (RFC 3501 §9, RFC 9051 §9): the command is not a syntax error, the name just
/// cannot name any mailbox. Such a name is passed on <em>undecodable</em>: its octets behind a NUL, which no decoded
/// name holds (the parser refuses NUL in strings, SECURITY C5) and every store refuses as a control character. So
/// it never equals a decoded name (SECURITY C10), never matches a LIST pattern, and never reaches a store as a name
/// it could find or create, even where a command forgot to check <see cref="IsUndecodable"/>.
/// </summary>
public static class ImapMailboxName
{
    private const char Marker = '\0';

    /// <summary>Whether <paramref name="name"/>, a name or LIST pattern from a parsed command, did not decode.</summary>
    public static bool IsUndecodable(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Contains(Marker, StringComparison.Ordinal);
    }

    /// <summary>The undecodable form of <paramref name="octets"/>: a NUL, then the octets one char each (Latin-1).</summary>
    internal static string Undecodable(ReadOnlySpan<byte> octets) => Marker + Encoding.Latin1.GetString(octets);
}
