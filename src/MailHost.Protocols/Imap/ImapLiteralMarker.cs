namespace MailHost.Protocols.Imap;

/// <summary>The <c>[~]{N[+]}</c> literal marker that ends a command line fragment (RFC 9051 §4.3, RFC 7888, RFC 3516).</summary>
internal static class ImapLiteralMarker
{
    /// <summary>Sizes beyond this are reported as <see cref="long.MaxValue"/> (always over every limit).</summary>
    private const long Saturated = long.MaxValue;

    /// <summary>
    /// Parses the text between the braces: <c>1*DIGIT ["+"]</c>. A size too large for 63 bits saturates (it is over
    /// every limit, so it is refused as too big, SECURITY C2). Signs, spaces and other characters are invalid.
    /// </summary>
    public static bool TryParseSize(ReadOnlySpan<byte> inner, out long size, out bool nonSynchronizing)
    {
        size = 0;
        nonSynchronizing = inner.Length > 0 && inner[^1] == '+';
        if (nonSynchronizing)
        {
            inner = inner[..^1];
        }

        if (inner.IsEmpty)
        {
            return false;
        }

        foreach (var b in inner)
        {
            if (!char.IsAsciiDigit((char)b))
            {
                return false;
            }

            long digit = b - '0';
            size = size > (Saturated - digit) / 10 ? Saturated : (size * 10) + digit;
        }

        return true;
    }

    /// <summary>
    /// Finds a literal marker at the end of <paramref name="fragment"/> (CRLF excluded); <paramref name="braceIndex"/>
    /// is the position of the last unquoted <c>{</c> in the fragment, or -1.
    /// Returns 1 for a valid marker, 0 when the fragment has none, -1 for a malformed one (<c>{12a}</c>, <c>{-1}</c>).
    /// </summary>
    public static int Find(ReadOnlySpan<byte> fragment, int braceIndex, out int markerStart, out long size, out bool nonSynchronizing, out bool binary)
    {
        markerStart = -1;
        size = 0;
        nonSynchronizing = false;
        binary = false;
        if (fragment.IsEmpty || fragment[^1] != '}' || braceIndex < 0)
        {
            return 0;
        }

        if (!TryParseSize(fragment[(braceIndex + 1)..^1], out size, out nonSynchronizing))
        {
            return -1;
        }

        binary = braceIndex > 0 && fragment[braceIndex - 1] == '~';
        markerStart = binary ? braceIndex - 1 : braceIndex;
        return 1;
    }
}
