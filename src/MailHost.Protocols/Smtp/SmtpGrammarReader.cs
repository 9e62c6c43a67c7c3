using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Unicode;

namespace MailHost.Protocols.Smtp;

/// <summary>
/// A forward-only reader over one command line (without CRLF) with one method per RFC 5321 §4.1.2/§4.1.3 ABNF rule.
/// Every Parse method either advances past its rule and returns <see langword="true"/>, or returns
/// <see langword="false"/> with the position unspecified. It never scans backwards (SECURITY B5).
/// </summary>
internal ref struct SmtpGrammarReader
{
    private const int MaxDomainLength = 255;
    private const int MaxLabelLength = 63;

    // RFC 5322 §3.2.3 atext.
    private static readonly SearchValues<byte> AText =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-/=?^_`{|}~"u8);

    private static readonly SearchValues<byte> IPv6Chars = SearchValues.Create("0123456789abcdefABCDEF:."u8);

    private readonly ReadOnlySpan<byte> _text;
    private readonly bool _allowUtf8;
    private int _position;

    public SmtpGrammarReader(ReadOnlySpan<byte> text, bool allowUtf8)
    {
        _text = text;
        _allowUtf8 = allowUtf8;
    }

    public readonly int Position => _position;

    public readonly bool End => _position >= _text.Length;

    public readonly ReadOnlySpan<byte> Rest => _text[_position..];

    /// <summary>Set when a UTF-8 local part or domain was read (only possible with allowUtf8).</summary>
    public bool SawNonAscii { get; private set; }

    public readonly byte Peek => _position < _text.Length ? _text[_position] : (byte)0;

    public bool TryConsume(byte b)
    {
        if (_position < _text.Length && _text[_position] == b)
        {
            _position++;
            return true;
        }

        return false;
    }

    public bool TryConsumeIgnoreCase(ReadOnlySpan<byte> literal)
    {
        if (_text.Length - _position >= literal.Length && Ascii.EqualsIgnoreCase(_text.Slice(_position, literal.Length), literal))
        {
            _position += literal.Length;
            return true;
        }

        return false;
    }

    /// <summary>Reverse-path = Path / "&lt;&gt;".</summary>
    public bool ParseReversePath(out SmtpPath? path)
    {
        if (Rest.StartsWith("<>"u8))
        {
            _position += 2;
            path = SmtpPath.Null;
            return true;
        }

        return ParsePath(out path);
    }

    /// <summary>Forward-path = Path, plus "&lt;Postmaster&gt;" (RFC 5321 §4.1.1.3).</summary>
    public bool ParseForwardPath(out SmtpPath? path)
    {
        if (Rest.Length >= 12 && Ascii.EqualsIgnoreCase(Rest[..12], "<Postmaster>"u8))
        {
            path = new SmtpPath(new SmtpMailbox(Encoding.ASCII.GetString(Rest[1..11]), string.Empty), []);
            _position += 12;
            return true;
        }

        return ParsePath(out path);
    }

    /// <summary>Path = "&lt;" [ A-d-l ":" ] Mailbox "&gt;".</summary>
    public bool ParsePath(out SmtpPath? path)
    {
        path = null;
        if (!TryConsume((byte)'<'))
        {
            return false;
        }

        string[] route = [];
        if (Peek == (byte)'@')
        {
            if (!ParseAdl(out route) || !TryConsume((byte)':'))
            {
                return false;
            }
        }

        if (!ParseMailbox(out var mailbox) || !TryConsume((byte)'>'))
        {
            return false;
        }

        path = new SmtpPath(mailbox, route);
        return true;
    }

    /// <summary>A-d-l = At-domain *( "," At-domain ); At-domain = "@" Domain.</summary>
    public bool ParseAdl(out string[] route)
    {
        var domains = new List<string>(2);
        route = [];
        do
        {
            if (!TryConsume((byte)'@') || !ParseDomain(out var domain))
            {
                return false;
            }

            domains.Add(domain!);
        }
        while (TryConsume((byte)','));

        route = [.. domains];
        return true;
    }

    /// <summary>Mailbox = Local-part "@" ( Domain / address-literal ).</summary>
    public bool ParseMailbox(out SmtpMailbox? mailbox)
    {
        mailbox = null;
        if (!ParseLocalPart(out var localPart, out var quoted) || !TryConsume((byte)'@'))
        {
            return false;
        }

        if (Peek == (byte)'[')
        {
            if (!ParseAddressLiteral(out var literal))
            {
                return false;
            }

            mailbox = new SmtpMailbox(localPart!, literal!.Text) { IsQuotedLocalPart = quoted, AddressLiteral = literal };
            return true;
        }

        if (!ParseDomain(out var domain))
        {
            return false;
        }

        mailbox = new SmtpMailbox(localPart!, domain!) { IsQuotedLocalPart = quoted };
        return true;
    }

    /// <summary>Local-part = Dot-string / Quoted-string.</summary>
    public bool ParseLocalPart(out string? localPart, out bool quoted)
    {
        quoted = Peek == (byte)'"';
        return quoted ? ParseQuotedString(out localPart) : ParseDotString(out localPart);
    }

    /// <summary>Dot-string = Atom *("." Atom); Atom = 1*atext (RFC 6531 §3.3 adds UTF8-non-ascii).</summary>
    public bool ParseDotString(out string? value)
    {
        value = null;
        var start = _position;
        while (true)
        {
            var atomStart = _position;
            while (_position < _text.Length && (AText.Contains(_text[_position]) || IsUtf8Byte(_text[_position])))
            {
                _position++;
            }

            if (_position == atomStart)
            {
                return false;
            }

            if (!TryConsume((byte)'.'))
            {
                break;
            }
        }

        return TryDecode(_text[start.._position], out value);
    }

    /// <summary>
    /// Quoted-string = DQUOTE *QcontentSMTP DQUOTE; qtextSMTP = %d32-33 / %d35-91 / %d93-126;
    /// quoted-pairSMTP = "\" %d32-126. The value is returned without quotes and escapes.
    /// </summary>
    public bool ParseQuotedString(out string? value)
    {
        value = null;
        if (!TryConsume((byte)'"'))
        {
            return false;
        }

        var decoded = _text.Length - _position <= 512 ? stackalloc byte[_text.Length - _position] : new byte[_text.Length - _position];
        var length = 0;
        while (true)
        {
            if (End)
            {
                return false;
            }

            var b = _text[_position++];
            if (b == (byte)'"')
            {
                break;
            }

            if (b == (byte)'\\')
            {
                if (End || _text[_position] is < 32 or > 126)
                {
                    return false;
                }

                decoded[length++] = _text[_position++];
            }
            else if (b is (>= 32 and <= 126) || IsUtf8Byte(b))
            {
                decoded[length++] = b;
            }
            else
            {
                return false;
            }
        }

        return TryDecode(decoded[..length], out value);
    }

    /// <summary>
    /// Domain = sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str] (RFC 6531 §3.3 adds U-label).
    /// One trailing dot (the root, as in <c>example.com.</c>) is accepted and left out of the result, so that policy
    /// judges <c>v@external.example.</c> exactly like <c>v@external.example</c> (SECURITY E1: such a recipient is refused
    /// as relaying, never let through as "some other domain"). Labels of at most 63 and names of at most 255 octets
    /// (RFC 5321 §4.5.3.1.2).
    /// </summary>
    public bool ParseDomain(out string? domain)
    {
        domain = null;
        var start = _position;
        int end;
        while (true)
        {
            var labelStart = _position;
            while (_position < _text.Length && (char.IsAsciiLetterOrDigit((char)_text[_position]) || _text[_position] == (byte)'-' || IsUtf8Byte(_text[_position])))
            {
                _position++;
            }

            var label = _text[labelStart.._position];
            if (label.IsEmpty || label[0] == (byte)'-' || label[^1] == (byte)'-' || label.Length > MaxLabelLength)
            {
                return false;
            }

            end = _position;
            if (!TryConsume((byte)'.'))
            {
                break;
            }

            if (_position >= _text.Length || !(char.IsAsciiLetterOrDigit((char)_text[_position]) || IsUtf8Byte(_text[_position])))
            {
                // The trailing root dot: not part of the name.
                break;
            }
        }

        return end - start <= MaxDomainLength && TryDecode(_text[start..end], out domain);
    }

    /// <summary>
    /// address-literal = "[" ( IPv4-address-literal / IPv6-address-literal / General-address-literal ) "]".
    /// </summary>
    public bool ParseAddressLiteral(out SmtpAddressLiteral? literal)
    {
        literal = null;
        var start = _position;
        if (!TryConsume((byte)'['))
        {
            return false;
        }

        var close = Rest.IndexOf((byte)']');
        if (close <= 0)
        {
            return false;
        }

        var content = Rest[..close];
        _position += close + 1;
        var text = Encoding.ASCII.GetString(_text[start.._position]);
        if (TryParseIPv4AddressLiteral(content, out var ipv4))
        {
            literal = new SmtpAddressLiteral(SmtpAddressLiteralKind.IPv4, text, ipv4);
            return true;
        }

        var colon = content.IndexOf((byte)':');
        if (colon <= 0 || colon == content.Length - 1)
        {
            return false;
        }

        var tag = content[..colon];
        var value = content[(colon + 1)..];
        if (Ascii.EqualsIgnoreCase(tag, "IPv6"u8))
        {
            // IPv6-addr (RFC 5321 §4.1.3): hex digits, colons and an embedded IPv4 dotted quad only; no zone index.
            if (value.ContainsAnyExcept(IPv6Chars)
                || !IPAddress.TryParse(Encoding.ASCII.GetString(value), out var address)
                || address.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            literal = new SmtpAddressLiteral(SmtpAddressLiteralKind.IPv6, text, address);
            return true;
        }

        // General-address-literal = Standardized-tag ":" 1*dcontent; Standardized-tag = Ldh-str;
        // dcontent = %d33-90 / %d94-126.
        foreach (var b in tag)
        {
            if (!char.IsAsciiLetterOrDigit((char)b) && b != (byte)'-')
            {
                return false;
            }
        }

        if (tag[^1] == (byte)'-')
        {
            return false;
        }

        foreach (var b in value)
        {
            if (b is < 33 or > 126 or (>= 91 and <= 93))
            {
                return false;
            }
        }

        literal = new SmtpAddressLiteral(SmtpAddressLiteralKind.General, text, null);
        return true;
    }

    /// <summary>
    /// esmtp-param = esmtp-keyword ["=" esmtp-value]; esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-");
    /// esmtp-value = 1*(%d33-60 / %d62-126), plus UTF-8 under SMTPUTF8 (RFC 6531 §3.3).
    /// </summary>
    public bool ParseEsmtpParameter(out ReadOnlySpan<byte> keyword, out ReadOnlySpan<byte> value, out bool hasValue)
    {
        keyword = default;
        value = default;
        hasValue = false;
        var start = _position;
        while (_position < _text.Length && (char.IsAsciiLetterOrDigit((char)_text[_position]) || (_text[_position] == (byte)'-' && _position > start)))
        {
            _position++;
        }

        if (_position == start)
        {
            return false;
        }

        keyword = _text[start.._position];
        if (!TryConsume((byte)'='))
        {
            return End || Peek == (byte)' ';
        }

        hasValue = true;
        var valueStart = _position;
        while (_position < _text.Length && _text[_position] != (byte)' ')
        {
            var b = _text[_position];
            if (b is < 33 or 61 or 127 || (b > 127 && !_allowUtf8))
            {
                return false;
            }

            _position++;
        }

        value = _text[valueStart.._position];
        return !value.IsEmpty;
    }

    /// <summary>
    /// IPv4-address-literal = Snum 3("." Snum); Snum = 1*3DIGIT representing 0-255. Snum is decimal, so the address is
    /// built from the parsed values (IPAddress.Parse would read a leading zero as octal and refuse "08").
    /// </summary>
    private static bool TryParseIPv4AddressLiteral(ReadOnlySpan<byte> content, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        Span<byte> octets = stackalloc byte[4];
        var parts = 0;
        var i = 0;
        while (true)
        {
            var value = 0;
            var digits = 0;
            while (i < content.Length && char.IsAsciiDigit((char)content[i]) && digits < 4)
            {
                value = (value * 10) + (content[i] - '0');
                digits++;
                i++;
            }

            if (digits is 0 or > 3 || value > 255)
            {
                return false;
            }

            octets[parts++] = (byte)value;
            if (i == content.Length)
            {
                if (parts != 4)
                {
                    return false;
                }

                address = new IPAddress(octets);
                return true;
            }

            if (content[i] != (byte)'.' || parts == 4)
            {
                return false;
            }

            i++;
        }
    }

    private readonly bool IsUtf8Byte(byte b) => b >= 0x80 && _allowUtf8;

    private bool TryDecode(scoped ReadOnlySpan<byte> bytes, out string? value)
    {
        value = null;
        if (Ascii.IsValid(bytes))
        {
            value = Encoding.ASCII.GetString(bytes);
            return true;
        }

        if (!Utf8.IsValid(bytes))
        {
            return false;
        }

        SawNonAscii = true;
        value = Encoding.UTF8.GetString(bytes);
        return true;
    }
}
