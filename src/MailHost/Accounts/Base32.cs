namespace MailHost.Accounts;

/// <summary>
/// RFC 4648 §6 base32, the form authenticator apps take a TOTP key in (<c>otpauth://</c> URIs, typed keys). .NET has
/// no base32 codec; this is the encoder, which is all enrolment needs.
/// </summary>
internal static class Base32
{
    // RFC 4648 §6, Table 3.
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary>
    /// Encodes <paramref name="data"/>; with <paramref name="padding"/> the text is filled up with <c>=</c> to a multiple
    /// of 8 characters as RFC 4648 §6 asks, without it (as <c>otpauth://</c> URIs carry keys) it is not.
    /// </summary>
    public static string Encode(ReadOnlySpan<byte> data, bool padding)
    {
        var length = (data.Length * 8 + 4) / 5;
        var chars = new char[padding ? (data.Length + 4) / 5 * 8 : length];
        int buffer = 0, bits = 0, written = 0;
        foreach (var octet in data)
        {
            buffer = ((buffer << 8) | octet) & 0xFFF; // at most 12 bits are ever pending
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                chars[written++] = Alphabet[(buffer >> bits) & 0x1F];
            }
        }

        if (bits > 0)
        {
            // The last group is filled with zero bits on the right (RFC 4648 §6, step 3).
            chars[written++] = Alphabet[(buffer << (5 - bits)) & 0x1F];
        }

        chars.AsSpan(written).Fill('=');
        return new string(chars);
    }
}
