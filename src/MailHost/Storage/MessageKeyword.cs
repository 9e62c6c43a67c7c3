namespace MailHost.Storage;

/// <summary>
/// Rules for IMAP keywords (user flags): a keyword is an <c>atom</c> (RFC 9051 §9: no <c>( ) { SP CTL % * " \ ]</c>),
/// does not start with <c>\</c> (system flags), and is compared case-insensitively.
/// </summary>
public static class MessageKeyword
{
    /// <summary>Longest keyword accepted.</summary>
    public const int MaxLength = 128;

    /// <summary>Whether <paramref name="keyword"/> may be stored as a keyword.</summary>
    public static bool IsValid(string? keyword)
    {
        if (string.IsNullOrEmpty(keyword) || keyword.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in keyword)
        {
            // RFC 9051 §9: atom-char is any CHAR except atom-specials; CHAR is 7-bit.
            if (c is <= (char)0x20 or >= (char)0x7F or '(' or ')' or '{' or '%' or '*' or '"' or '\\' or ']')
            {
                return false;
            }
        }

        return true;
    }
}
