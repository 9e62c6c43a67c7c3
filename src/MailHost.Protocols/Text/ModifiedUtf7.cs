using System.Buffers;
using System.Text;

namespace MailHost.Protocols.Text;

/// <summary>
/// IMAP modified UTF-7 (RFC 3501 §5.1.3), the mailbox-name encoding of IMAP4rev1 clients. Pure and thread-safe.
/// </summary>
/// <remarks>
/// Decoding is strict: only the one canonical encoding of a name is accepted, so two different byte strings never
/// decode to the same name (SECURITY C10). Refused: any octet outside printable US-ASCII; <c>&amp;</c> not followed by
/// <c>-</c> or a modified-BASE64 run ended by <c>-</c>; a run that encodes a printable US-ASCII character; a run that
/// directly follows another run (<c>&amp;U,BTFw-&amp;ZeVnLIqe-</c>: the encoder would have merged them); a run
/// whose length is not that of a whole number of UTF-16 units or whose padding bits are not zero; an unpaired
/// surrogate.
/// </remarks>
public static class ModifiedUtf7
{
    // RFC 3501 §5.1.3: modified BASE64 is RFC 2045 BASE64 with "," in place of "/".
    private static ReadOnlySpan<byte> Alphabet => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,"u8;

    /// <summary>The most bytes <see cref="TryEncode"/> writes for one UTF-16 unit (a lone non-ASCII character: <c>&amp;AOk-</c>).</summary>
    public const int MaxBytesPerChar = 5;

    /// <summary>Encodes <paramref name="name"/> in canonical modified UTF-7.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> holds an unpaired surrogate (not a valid string).</exception>
    public static string Encode(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        byte[]? rented = null;
        var max = checked(name.Length * MaxBytesPerChar);
        var buffer = max <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            if (!TryEncode(name, buffer, out var written))
            {
                throw new ArgumentException("The name holds an unpaired surrogate.", nameof(name));
            }

            return Encoding.ASCII.GetString(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Encodes <paramref name="name"/> into <paramref name="destination"/>, which must hold
    /// <see cref="MaxBytesPerChar"/> bytes per input char. Returns false, with nothing useful written, when
    /// <paramref name="name"/> holds an unpaired surrogate.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="MaxBytesPerChar"/> × the name's length.</exception>
    public static bool TryEncode(ReadOnlySpan<char> name, Span<byte> destination, out int written)
    {
        if (destination.Length < name.Length * (long)MaxBytesPerChar)
        {
            throw new ArgumentException("The destination is too short.", nameof(destination));
        }

        written = 0;
        var i = 0;
        while (i < name.Length)
        {
            var c = name[i];
            if (IsDirect(c))
            {
                destination[written++] = (byte)c;
                if (c == '&')
                {
                    // RFC 3501 §5.1.3: "&" is represented by "&-".
                    destination[written++] = (byte)'-';
                }

                i++;
                continue;
            }

            // One run holds every consecutive character that cannot be written directly.
            var start = i;
            while (i < name.Length && !IsDirect(name[i]))
            {
                if (char.IsHighSurrogate(name[i]))
                {
                    if (i + 1 >= name.Length || !char.IsLowSurrogate(name[i + 1]))
                    {
                        return false;
                    }

                    i += 2;
                }
                else if (char.IsLowSurrogate(name[i]))
                {
                    return false;
                }
                else
                {
                    i++;
                }
            }

            destination[written++] = (byte)'&';
            written += EncodeRun(name[start..i], destination[written..]);
            destination[written++] = (byte)'-';
        }

        return true;
    }

    /// <summary>
    /// Decodes a modified UTF-7 mailbox name. Returns false for every invalid or non-canonical encoding (see the
    /// type remarks); <paramref name="name"/> is then empty.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> encoded, out string name)
    {
        name = string.Empty;
        if (encoded.IndexOf((byte)'&') < 0)
        {
            if (encoded.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E))
            {
                return false;
            }

            name = Encoding.ASCII.GetString(encoded);
            return true;
        }

        char[]? rented = null;
        var buffer = encoded.Length <= 256 ? stackalloc char[256] : (rented = ArrayPool<char>.Shared.Rent(encoded.Length));
        try
        {
            if (!TryDecodeCore(encoded, buffer, out var length))
            {
                return false;
            }

            name = new string(buffer[..length]);
            return true;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Decodes a modified UTF-7 name held in a string; any char above U+007E makes it invalid.</summary>
    public static bool TryDecode(string encoded, out string name)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        name = string.Empty;
        if (encoded.AsSpan().ContainsAnyExceptInRange('\u0020', '\u007E'))
        {
            return false;
        }

        byte[]? rented = null;
        var bytes = encoded.Length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(encoded.Length));
        try
        {
            var length = Encoding.ASCII.GetBytes(encoded, bytes);
            return TryDecode(bytes[..length], out name);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    // RFC 3501 §5.1.3: printable US-ASCII (0x20..0x7E) represents itself.
    private static bool IsDirect(char c) => c is >= '\u0020' and <= '\u007E';

    private static int EncodeRun(ReadOnlySpan<char> run, Span<byte> destination)
    {
        var written = 0;
        var bits = 0;
        var bitCount = 0;
        foreach (var c in run)
        {
            bits = (bits << 16) | c;
            bitCount += 16;
            while (bitCount >= 6)
            {
                bitCount -= 6;
                destination[written++] = Alphabet[(bits >> bitCount) & 0x3F];
            }

            bits &= (1 << bitCount) - 1;
        }

        if (bitCount > 0)
        {
            // Zero padding bits complete the last sextet.
            destination[written++] = Alphabet[(bits << (6 - bitCount)) & 0x3F];
        }

        return written;
    }

    private static bool TryDecodeCore(ReadOnlySpan<byte> encoded, Span<char> output, out int length)
    {
        length = 0;
        var previousWasRun = false;
        var i = 0;
        while (i < encoded.Length)
        {
            var b = encoded[i];
            if (b is < 0x20 or > 0x7E)
            {
                return false;
            }

            if (b != (byte)'&')
            {
                output[length++] = (char)b;
                previousWasRun = false;
                i++;
                continue;
            }

            var end = encoded[(i + 1)..].IndexOf((byte)'-');
            if (end < 0)
            {
                return false;
            }

            var run = encoded.Slice(i + 1, end);
            i += end + 2;
            if (run.IsEmpty)
            {
                output[length++] = '&';
                previousWasRun = false;
                continue;
            }

            // A run right after another run is not canonical: the encoder writes one run for both.
            if (previousWasRun || !TryDecodeRun(run, output, ref length))
            {
                return false;
            }

            previousWasRun = true;
        }

        return true;
    }

    private static bool TryDecodeRun(ReadOnlySpan<byte> run, Span<char> output, ref int length)
    {
        // Only lengths the encoder produces: ceil(16k / 6) sextets for k UTF-16 units, i.e. 3, 6 or 0 (mod 8).
        if ((run.Length % 8) is not (0 or 3 or 6))
        {
            return false;
        }

        var bits = 0;
        var bitCount = 0;
        var pendingHigh = '\0';
        foreach (var b in run)
        {
            var value = Alphabet.IndexOf(b);
            if (value < 0)
            {
                return false;
            }

            bits = (bits << 6) | value;
            bitCount += 6;
            if (bitCount < 16)
            {
                continue;
            }

            bitCount -= 16;
            var c = (char)((bits >> bitCount) & 0xFFFF);
            bits &= (1 << bitCount) - 1;
            if (IsDirect(c))
            {
                // A printable US-ASCII character must represent itself.
                return false;
            }

            if (pendingHigh != '\0')
            {
                if (!char.IsLowSurrogate(c))
                {
                    return false;
                }

                output[length++] = pendingHigh;
                output[length++] = c;
                pendingHigh = '\0';
            }
            else if (char.IsHighSurrogate(c))
            {
                pendingHigh = c;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
            else
            {
                output[length++] = c;
            }
        }

        // Padding bits must be zero and no high surrogate may be left waiting for its pair.
        return bits == 0 && pendingHigh == '\0';
    }
}
