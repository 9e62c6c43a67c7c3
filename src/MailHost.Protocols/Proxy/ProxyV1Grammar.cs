using System.Net;

namespace MailHost.Protocols.Proxy;

/// <summary>The strict grammar of a PROXY v1 line (spec §2.1), after "PROXY " and before CRLF.</summary>
internal static class ProxyV1Grammar
{
    private const int FieldCount = 4;

    /// <summary>Returns null and the header when <paramref name="content"/> is valid, otherwise the error text.</summary>
    public static string? TryParse(ReadOnlySpan<byte> content, out ProxyHeader? header)
    {
        header = null;

        // Spec §2.1: for "UNKNOWN" "the rest of the line before the CRLF may be omitted by the sender, and the
        // receiver must ignore anything presented before the CRLF is found".
        if (content.StartsWith("UNKNOWN"u8) && (content.Length == 7 || content[7] == ' '))
        {
            header = new ProxyHeader(1, ProxyCommand.Proxy, null, null);
            return null;
        }

        var protocolEnd = content.IndexOf((byte)' ');
        var protocol = protocolEnd < 0 ? content : content[..protocolEnd];
        bool isV6;
        if (protocol.SequenceEqual("TCP4"u8))
        {
            isV6 = false;
        }
        else if (protocol.SequenceEqual("TCP6"u8))
        {
            isV6 = true;
        }
        else
        {
            return ProxyErrors.V1UnknownProtocol;
        }

        if (protocolEnd < 0)
        {
            return ProxyErrors.V1Malformed;
        }

        // Exactly one space between four non-empty fields: source, destination, source port, destination port.
        var rest = content[(protocolEnd + 1)..];
        Span<Range> fields = stackalloc Range[FieldCount];
        var count = 0;
        var start = 0;
        for (var i = 0; i <= rest.Length; i++)
        {
            if (i < rest.Length && rest[i] != ' ')
            {
                continue;
            }

            if (count == FieldCount || i == start)
            {
                return ProxyErrors.V1Malformed;
            }

            fields[count++] = new Range(start, i);
            start = i + 1;
        }

        if (count != FieldCount)
        {
            return ProxyErrors.V1Malformed;
        }

        Span<byte> sourceBytes = stackalloc byte[isV6 ? 16 : 4];
        Span<byte> destinationBytes = stackalloc byte[isV6 ? 16 : 4];
        if (!(isV6 ? TryParseIPv6(rest[fields[0]], sourceBytes) : TryParseIPv4(rest[fields[0]], sourceBytes)))
        {
            return ProxyErrors.V1BadSourceAddress;
        }

        if (!(isV6 ? TryParseIPv6(rest[fields[1]], destinationBytes) : TryParseIPv4(rest[fields[1]], destinationBytes)))
        {
            return ProxyErrors.V1BadDestinationAddress;
        }

        if (!TryParseDecimal(rest[fields[2]], ushort.MaxValue, out var sourcePort))
        {
            return ProxyErrors.V1BadSourcePort;
        }

        if (!TryParseDecimal(rest[fields[3]], ushort.MaxValue, out var destinationPort))
        {
            return ProxyErrors.V1BadDestinationPort;
        }

        header = new ProxyHeader(
            1,
            ProxyCommand.Proxy,
            new IPEndPoint(new IPAddress(sourceBytes), sourcePort),
            new IPEndPoint(new IPAddress(destinationBytes), destinationPort));
        return null;
    }

    /// <summary>
    /// Spec §2.1: "exactly 4 integers in the range [0..255] inclusive written in decimal representation separated
    /// by exactly one dot"; "Heading zeroes are not permitted".
    /// </summary>
    internal static bool TryParseIPv4(ReadOnlySpan<byte> text, Span<byte> address)
    {
        for (var part = 0; part < 4; part++)
        {
            var dot = part < 3 ? text.IndexOf((byte)'.') : text.Length;
            if (dot < 0 || !TryParseDecimal(text[..dot], 255, out var value))
            {
                return false;
            }

            address[part] = (byte)value;
            text = part < 3 ? text[(dot + 1)..] : [];
        }

        return true;
    }

    /// <summary>
    /// Spec §2.1: groups of hexadecimal digits separated by colons, at most one "::", 128 bits in total.
    /// Groups of 1-4 digits and a trailing dotted IPv4 part (RFC 4291 §2.2 forms 2 and 3) are accepted,
    /// because senders format addresses with inet_ntop, which writes "2001:db8::1" and "::ffff:192.0.2.1".
    /// </summary>
    internal static bool TryParseIPv6(ReadOnlySpan<byte> text, Span<byte> address)
    {
        address.Clear();
        Span<byte> words = stackalloc byte[16];
        var byteCount = 0;
        var gapAt = -1;
        var i = 0;
        if (text.StartsWith("::"u8))
        {
            gapAt = 0;
            i = 2;
        }
        else if (text.IsEmpty || text[0] == ':')
        {
            return false;
        }

        while (i < text.Length)
        {
            var digits = 0;
            var value = 0;
            while (i + digits < text.Length && digits <= 4 && IsHexDigit(text[i + digits]))
            {
                value = (value << 4) | HexValue(text[i + digits]);
                digits++;
            }

            if (i + digits < text.Length && text[i + digits] == '.')
            {
                // RFC 4291 §2.2 form 3: the last 32 bits as a dotted IPv4 address.
                if (byteCount > 12 || !TryParseIPv4(text[i..], words.Slice(byteCount, 4)))
                {
                    return false;
                }

                byteCount += 4;
                break;
            }

            if (digits == 0 || digits > 4 || byteCount == 16)
            {
                return false;
            }

            words[byteCount++] = (byte)(value >> 8);
            words[byteCount++] = (byte)value;
            i += digits;
            if (i == text.Length)
            {
                break;
            }

            if (text[i] != ':')
            {
                return false;
            }

            i++;
            if (i < text.Length && text[i] == ':')
            {
                if (gapAt >= 0)
                {
                    return false;
                }

                gapAt = byteCount;
                i++;
            }
            else if (i == text.Length)
            {
                return false; // a single trailing colon
            }
        }

        if (gapAt < 0)
        {
            if (byteCount != 16)
            {
                return false;
            }

            words.CopyTo(address);
            return true;
        }

        // "::" stands for at least one zero group.
        if (byteCount > 14)
        {
            return false;
        }

        words[..gapAt].CopyTo(address);
        words[gapAt..byteCount].CopyTo(address[(16 - (byteCount - gapAt))..]);
        return true;
    }

    /// <summary>1-5 decimal digits, no leading zero unless the number is 0, at most <paramref name="max"/>.</summary>
    internal static bool TryParseDecimal(ReadOnlySpan<byte> text, int max, out int value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 5 || (text[0] == '0' && text.Length > 1))
        {
            return false;
        }

        foreach (var b in text)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return value <= max;
    }

    private static bool IsHexDigit(byte b) => char.IsAsciiHexDigit((char)b);

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
