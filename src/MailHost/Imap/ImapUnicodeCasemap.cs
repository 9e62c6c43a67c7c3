using System.Text;

namespace MailHost.Imap;

/// <summary>
/// The <c>i;unicode-casemap</c> collation of RFC 5051, which SORT and THREAD use to compare strings (RFC 5256 §2.1,
/// §3): every character is replaced by its simple titlecase mapping and then by its full compatibility decomposition
/// (NFKD), and the results are compared octet by octet in UTF-8, that is, by code point.
/// </summary>
internal static class ImapUnicodeCasemap
{
    /// <summary>The string every character of <paramref name="text"/> maps to; equal keys compare equal.</summary>
    public static string Key(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Ascii.IsValid(text))
        {
            // ASCII titlecases to upper case and has no decompositions.
            return text.ToUpperInvariant();
        }

        var key = new StringBuilder(text.Length);
        Span<char> buffer = stackalloc char[2];
        foreach (var rune in text.EnumerateRunes())
        {
            key.Append(buffer[..Titlecase(rune).EncodeToUtf16(buffer)]);
        }

        return key.ToString().Normalize(NormalizationForm.FormKD);
    }

    /// <summary>Compares two keys from <see cref="Key"/> by code point (the order of their UTF-8 octets).</summary>
    public static int Compare(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var length = Math.Min(a.Length, b.Length);
        for (var i = 0; i < length; i++)
        {
            if (a[i] != b[i])
            {
                return CodePointOrder(a[i]) - CodePointOrder(b[i]);
            }
        }

        return a.Length - b.Length;
    }

    /// <summary>
    /// UTF-16 puts surrogates (code points above U+FFFF) before U+E000–U+FFFF; UTF-8 and code point order put them
    /// after. Moving surrogates above every other unit restores code point order at the first difference.
    /// </summary>
    private static int CodePointOrder(char c) => c >= 0xE000 ? c - 0x800 : c >= 0xD800 ? c + 0x2000 : c;

    /// <summary>
    /// The simple titlecase mapping of UnicodeData.txt. It equals the simple uppercase mapping except for the Latin
    /// digraphs, whose titlecase form is the capital-small one, and Georgian Mkhedruli, which titlecases to itself.
    /// </summary>
    private static Rune Titlecase(Rune rune) => rune.Value switch
    {
        >= 0x01C4 and <= 0x01C6 => new Rune(0x01C5),
        >= 0x01C7 and <= 0x01C9 => new Rune(0x01C8),
        >= 0x01CA and <= 0x01CC => new Rune(0x01CB),
        >= 0x01F1 and <= 0x01F3 => new Rune(0x01F2),
        (>= 0x10D0 and <= 0x10FA) or (>= 0x10FD and <= 0x10FF) => rune,
        _ => Rune.ToUpperInvariant(rune),
    };
}
