using System.Buffers;
using System.Text;
using System.Text.Unicode;
using MailHost.Protocols.Text;

namespace MailHost.Protocols.Imap;

/// <summary>
/// Reads the RFC 9051 §9 grammar from one whole, assembled command (literals inline as <c>{N}</c> CRLF data). Methods
/// are named after the ABNF rules; each returns false and records the first error text on failure. Quoted strings are
/// unescaped in place (the buffer belongs to the parser and is never read twice), so nothing is allocated except
/// the strings and records handed out.
/// </summary>
internal ref struct ImapGrammarReader
{
    // RFC 9051 §9: ATOM-CHAR = <any CHAR except atom-specials>; atom-specials = "(" / ")" / "{" / SP / CTL /
    // list-wildcards / quoted-specials / resp-specials. CHAR = %x01-7F, CTL = %x00-1F / %x7F.
    private static readonly SearchValues<byte> AtomChars = SearchValues.Create(
        "!#$&'+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[^_`abcdefghijklmnopqrstuvwxyz|}~"u8);

    // ASTRING-CHAR = ATOM-CHAR / resp-specials ("]").
    private static readonly SearchValues<byte> AStringChars = SearchValues.Create(
        "!#$&'+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz|}~"u8);

    // list-char = ATOM-CHAR / list-wildcards / resp-specials.
    private static readonly SearchValues<byte> ListChars = SearchValues.Create(
        "!#$%&'*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz|}~"u8);

    // Tag chars: ASTRING-CHAR except "+".
    private static readonly SearchValues<byte> TagChars = SearchValues.Create(
        "!#$&',-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz|}~"u8);

    private readonly Span<byte> _data;
    private readonly int _maxDepth;
    private int _depth;

    public ImapGrammarReader(Span<byte> data, int maxDepth, bool utf8Names)
    {
        _data = data;
        _maxDepth = maxDepth;
        Utf8Names = utf8Names;
    }

    public int Position { get; set; }

    public string? Error { get; private set; }

    public bool Utf8Names { get; }

    public readonly bool AtEnd => Position >= _data.Length;

    public readonly int Remaining => _data.Length - Position;

    public readonly byte Peek => Position < _data.Length ? _data[Position] : (byte)0;

    /// <summary>True when a quoted string, a literal or a literal8 (<c>~{</c>) starts here; "~" alone starts an atom.</summary>
    public readonly bool StartsString =>
        Peek is (byte)'"' or (byte)'{' || (Peek == '~' && Position + 1 < _data.Length && _data[Position + 1] == '{');

    public bool Fail(string error)
    {
        Error ??= error;
        return false;
    }

    // ---- structure -------------------------------------------------------------------------------------------

    public bool Enter()
    {
        if (++_depth > _maxDepth)
        {
            return Fail(ImapParseErrors.TooMuchNesting);
        }

        return true;
    }

    public void Leave() => _depth--;

    public bool TryChar(byte c)
    {
        if (Position < _data.Length && _data[Position] == c)
        {
            Position++;
            return true;
        }

        return false;
    }

    public bool ExpectChar(byte c, string error) => TryChar(c) || Fail(error);

    public bool ExpectSpace() => TryChar((byte)' ') || Fail(AtEnd ? ImapParseErrors.MissingArgument : ImapParseErrors.ExpectedSpace);

    public bool ExpectEnd() => AtEnd || Fail(ImapParseErrors.TrailingCharacters);

    /// <summary>Consumes <paramref name="word"/> (upper-case ASCII) case-insensitively when it is next and is followed by a non-atom char.</summary>
    public bool TryWord(ReadOnlySpan<byte> word)
    {
        if (Remaining < word.Length || !Ascii.EqualsIgnoreCase(_data.Slice(Position, word.Length), word))
        {
            return false;
        }

        var end = Position + word.Length;
        if (end < _data.Length && AtomChars.Contains(_data[end]))
        {
            return false;
        }

        Position = end;
        return true;
    }

    // ---- atoms and strings -----------------------------------------------------------------------------------

    /// <summary>RFC 9051 §9 <c>tag</c>.</summary>
    public bool ParseTag(int maxLength, out string tag)
    {
        tag = string.Empty;
        var length = _data[Position..].IndexOfAnyExcept(TagChars);
        if (length < 0)
        {
            length = Remaining;
        }

        if (length == 0)
        {
            return Fail(ImapParseErrors.InvalidTag);
        }

        if (length > maxLength)
        {
            return Fail(ImapParseErrors.TagTooLong);
        }

        tag = Encoding.ASCII.GetString(_data.Slice(Position, length));
        Position += length;
        return true;
    }

    /// <summary>Whether <paramref name="value"/> is an RFC 9051 §9 <c>atom</c>: one or more ATOM-CHARs.</summary>
    public static bool IsAtom(ReadOnlySpan<byte> value) => !value.IsEmpty && !value.ContainsAnyExcept(AtomChars);

    /// <summary>RFC 9051 §9 <c>atom</c>, as bytes of the command buffer.</summary>
    public bool ParseAtom(out ReadOnlySpan<byte> atom, string error)
    {
        var length = _data[Position..].IndexOfAnyExcept(AtomChars);
        if (length < 0)
        {
            length = Remaining;
        }

        atom = _data.Slice(Position, length);
        if (length == 0)
        {
            return Fail(AtEnd ? ImapParseErrors.MissingArgument : error);
        }

        Position += length;
        return true;
    }

    /// <summary>An atom returned upper-cased (command names, capability names, mechanism names).</summary>
    public bool ParseAtomUpper(out string value, string error)
    {
        value = string.Empty;
        if (!ParseAtom(out var atom, error))
        {
            return false;
        }

        if (atom.Length > 256)
        {
            value = Encoding.ASCII.GetString(atom).ToUpperInvariant();
            return true;
        }

        Span<char> chars = stackalloc char[atom.Length];
        Ascii.ToUpper(atom, chars, out var written);
        value = new string(chars[..written]);
        return true;
    }

    /// <summary>RFC 9051 §9 <c>astring</c> as raw (unescaped) bytes.</summary>
    public bool ParseAStringBytes(out ReadOnlySpan<byte> value, out bool wasLiteral)
    {
        wasLiteral = false;
        if (StartsString)
        {
            wasLiteral = Peek != '"';
            return ParseStringBytes(out value);
        }

        var length = _data[Position..].IndexOfAnyExcept(AStringChars);
        if (length < 0)
        {
            length = Remaining;
        }

        value = _data.Slice(Position, length);
        if (length == 0)
        {
            return Fail(AtEnd ? ImapParseErrors.MissingArgument : ImapParseErrors.InvalidString);
        }

        Position += length;
        return true;
    }

    /// <summary>RFC 9051 §9 <c>string</c> (quoted or literal) as raw bytes.</summary>
    public bool ParseStringBytes(out ReadOnlySpan<byte> value)
    {
        value = default;
        var c = Peek;
        if (c == '"')
        {
            return ParseQuoted(out value);
        }

        if (c == '{')
        {
            return ParseLiteral(out value);
        }

        if (c == '~')
        {
            // RFC 3516: literal8 is only allowed where the grammar says so (APPEND data), never in a string.
            return Fail(ImapParseErrors.UnexpectedLiteral8);
        }

        return Fail(AtEnd ? ImapParseErrors.MissingArgument : ImapParseErrors.InvalidString);
    }

    /// <summary>RFC 9051 §9 <c>quoted</c>: unescapes in place and returns the content.</summary>
    public bool ParseQuoted(out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!ExpectChar((byte)'"', ImapParseErrors.InvalidString))
        {
            return false;
        }

        var start = Position;
        var write = Position;
        while (true)
        {
            if (Position >= _data.Length)
            {
                return Fail(ImapParseErrors.UnterminatedQuoted);
            }

            var b = _data[Position++];
            if (b == '"')
            {
                break;
            }

            if (b == '\\')
            {
                // quoted-specials = DQUOTE / "\"; only they may be escaped.
                if (Position >= _data.Length || (_data[Position] != '"' && _data[Position] != '\\'))
                {
                    return Fail(ImapParseErrors.InvalidQuotedEscape);
                }

                b = _data[Position++];
            }
            else if (b == 0)
            {
                // SECURITY C5 (Dovecot CVE-2019-11500): NUL is never part of a quoted string.
                return Fail(ImapParseErrors.NulNotAllowed);
            }
            else if (b is (byte)'\r' or (byte)'\n')
            {
                return Fail(ImapParseErrors.UnterminatedQuoted);
            }

            // RFC 9051 QUOTED-CHAR allows UTF-8 (validated when the string is decoded); RFC 3501 was 7-bit only.
            _data[write++] = b;
        }

        value = _data[start..write];
        return true;
    }

    /// <summary>RFC 9051 §9 <c>literal</c> (the parser already checked its size against the limits).</summary>
    public bool ParseLiteral(out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!ParseLiteralHeader(out var size, out var binary))
        {
            return false;
        }

        if (binary)
        {
            return Fail(ImapParseErrors.UnexpectedLiteral8);
        }

        if (size > Remaining)
        {
            return Fail(ImapParseErrors.InvalidLiteral);
        }

        value = _data.Slice(Position, (int)size);
        Position += (int)size;
        if (value.Contains((byte)0))
        {
            // RFC 9051: literal data is CHAR8 (%x01-ff); NUL only in literal8 (SECURITY C5).
            return Fail(ImapParseErrors.NulNotAllowed);
        }

        return true;
    }

    /// <summary>Reads <c>[~]{N[+]}</c> CRLF; leaves the position at the literal data.</summary>
    public bool ParseLiteralHeader(out long size, out bool binary)
    {
        size = 0;
        binary = TryChar((byte)'~');
        if (!ExpectChar((byte)'{', ImapParseErrors.InvalidString))
        {
            return false;
        }

        var close = _data[Position..].IndexOf((byte)'}');
        if (close < 0 || !ImapLiteralMarker.TryParseSize(_data.Slice(Position, close), out size, out _))
        {
            return Fail(ImapParseErrors.InvalidLiteral);
        }

        Position += close + 1;
        return ExpectChar((byte)'\r', ImapParseErrors.InvalidLiteral) && ExpectChar((byte)'\n', ImapParseErrors.InvalidLiteral);
    }

    /// <summary><c>astring</c> decoded as UTF-8.</summary>
    public bool ParseAString(out string value)
    {
        value = string.Empty;
        return ParseAStringBytes(out var bytes, out _) && DecodeUtf8(bytes, out value);
    }

    /// <summary><c>string</c> decoded as UTF-8.</summary>
    public bool ParseString(out string value)
    {
        value = string.Empty;
        return ParseStringBytes(out var bytes) && DecodeUtf8(bytes, out value);
    }

    /// <summary>RFC 9051 §9 <c>nstring</c>: NIL or a string, decoded as UTF-8.</summary>
    public bool ParseNString(out string? value)
    {
        value = null;
        if (TryWord("NIL"u8))
        {
            return true;
        }

        if (!ParseString(out var text))
        {
            return false;
        }

        value = text;
        return true;
    }

    public bool DecodeUtf8(ReadOnlySpan<byte> bytes, out string value)
    {
        value = string.Empty;
        if (bytes.IsEmpty)
        {
            return true;
        }

        if (!Utf8.IsValid(bytes))
        {
            return Fail(ImapParseErrors.InvalidUtf8);
        }

        value = Encoding.UTF8.GetString(bytes);
        return true;
    }

    // ---- mailboxes -------------------------------------------------------------------------------------------

    /// <summary>RFC 9051 §9 <c>mailbox</c>: "INBOX" in any case becomes "INBOX"; other names are decoded.</summary>
    public bool ParseMailbox(out string name) => ParseMailboxName(normaliseInbox: true, out name);

    /// <summary>An astring decoded as a mailbox name, INBOX normalised or not.</summary>
    public bool ParseMailboxName(bool normaliseInbox, out string name)
    {
        name = string.Empty;
        return ParseAStringBytes(out var bytes, out _) && DecodeMailbox(bytes, normaliseInbox, out name);
    }

    /// <summary>RFC 9051 §9 <c>list-mailbox</c> (a LIST/LSUB pattern), decoded like a name; wildcards kept.</summary>
    public bool ParseListMailbox(out string pattern)
    {
        pattern = string.Empty;
        ReadOnlySpan<byte> bytes;
        if (StartsString)
        {
            if (!ParseStringBytes(out bytes))
            {
                return false;
            }
        }
        else
        {
            var length = _data[Position..].IndexOfAnyExcept(ListChars);
            if (length < 0)
            {
                length = Remaining;
            }

            if (length == 0)
            {
                return Fail(AtEnd ? ImapParseErrors.MissingArgument : ImapParseErrors.InvalidListMailbox);
            }

            bytes = _data.Slice(Position, length);
            Position += length;
        }

        return DecodeMailbox(bytes, normaliseInbox: false, out pattern);
    }

    private bool DecodeMailbox(ReadOnlySpan<byte> bytes, bool normaliseInbox, out string name)
    {
        name = string.Empty;
        if (normaliseInbox && Ascii.EqualsIgnoreCase(bytes, "INBOX"u8))
        {
            // RFC 9051 §5.1: INBOX is case-insensitive.
            name = "INBOX";
            return true;
        }

        if (bytes.Contains((byte)0))
        {
            return Fail(ImapParseErrors.NulNotAllowed);
        }

        if (Utf8Names)
        {
            // RFC 6855 §3 / RFC 9051 §5.1: after UTF8=ACCEPT names are UTF-8; NFC so that one name has one form (SECURITY C10).
            if (!Utf8.IsValid(bytes))
            {
                name = ImapMailboxName.Undecodable(bytes);
                return true;
            }

            name = Encoding.UTF8.GetString(bytes);
            if (!name.IsNormalized(NormalizationForm.FormC))
            {
                name = name.Normalize(NormalizationForm.FormC);
            }

            return true;
        }

        // RFC 3501 §5.1.3: modified UTF-7; invalid and non-canonical encodings name no mailbox (SECURITY C10). They are
        // valid astrings, so the command is not a syntax error: the name is passed on undecodable and the session
        // answers NO.
        if (!ModifiedUtf7.TryDecode(bytes, out name))
        {
            name = ImapMailboxName.Undecodable(bytes);
        }

        return true;
    }

    // ---- numbers ---------------------------------------------------------------------------------------------

    /// <summary>RFC 9051 §9 <c>number</c>: 0..4294967295.</summary>
    public bool ParseNumber(out uint value)
    {
        value = 0;
        if (!ParseNumber64(out var wide))
        {
            return false;
        }

        if (wide > uint.MaxValue)
        {
            return Fail(ImapParseErrors.NumberOutOfRange);
        }

        value = (uint)wide;
        return true;
    }

    /// <summary>RFC 9051 §9 <c>nz-number</c>: 1..4294967295.</summary>
    public bool ParseNzNumber(out uint value) =>
        ParseNumber(out value) && (value != 0 || Fail(ImapParseErrors.NumberOutOfRange));

    /// <summary>RFC 9051 §9 <c>number64</c>: 0..2^63-1 (RFC 7162 mod-sequence values use the same range).</summary>
    public bool ParseNumber64(out ulong value)
    {
        value = 0;
        var start = Position;
        while (Position < _data.Length && char.IsAsciiDigit((char)_data[Position]))
        {
            var digit = (ulong)(_data[Position] - '0');
            if (value > (long.MaxValue - digit) / 10)
            {
                return Fail(ImapParseErrors.NumberOutOfRange);
            }

            value = (value * 10) + digit;
            Position++;
        }

        if (Position == start)
        {
            return Fail(AtEnd ? ImapParseErrors.MissingArgument : ImapParseErrors.InvalidNumber);
        }

        return true;
    }

    // ---- sequence sets ---------------------------------------------------------------------------------------

    /// <summary>RFC 9051 §9 <c>sequence-set</c>, plus <c>$</c> (RFC 5182 <c>seq-last-command</c>).</summary>
    public bool ParseSequenceSet(out ImapSequenceSet set)
    {
        set = ImapSequenceSet.SavedResult;
        if (TryChar((byte)'$'))
        {
            return true;
        }

        var ranges = new List<ImapSequenceRange>(1);
        do
        {
            if (!ParseSeqNumber(out var start))
            {
                return false;
            }

            var end = start;
            if (TryChar((byte)':') && !ParseSeqNumber(out end))
            {
                return false;
            }

            ranges.Add(new ImapSequenceRange(start, end));
        }
        while (TryChar((byte)','));

        set = new ImapSequenceSet(ranges);
        return true;
    }

    private bool ParseSeqNumber(out uint value)
    {
        value = ImapSequenceRange.Star;
        if (TryChar((byte)'*'))
        {
            return true;
        }

        if (AtEnd || !char.IsAsciiDigit((char)Peek))
        {
            return Fail(AtEnd ? ImapParseErrors.MissingArgument : ImapParseErrors.InvalidSequenceSet);
        }

        // SECURITY C9: 0 and values past 2^32-1 are BAD.
        ulong wide = 0;
        while (Position < _data.Length && char.IsAsciiDigit((char)_data[Position]))
        {
            wide = (wide * 10) + (ulong)(_data[Position++] - '0');
            if (wide > uint.MaxValue)
            {
                return Fail(ImapParseErrors.InvalidSequenceSet);
            }
        }

        value = (uint)wide;
        return value != 0 || Fail(ImapParseErrors.InvalidSequenceSet);
    }

    // ---- flags and dates -------------------------------------------------------------------------------------

    /// <summary>RFC 9051 §9 <c>flag</c> (one flag); system flags are returned in canonical case.</summary>
    public bool ParseFlag(out string flag, bool allowRecent)
    {
        flag = string.Empty;
        var system = TryChar((byte)'\\');
        if (!ParseAtom(out var atom, ImapParseErrors.InvalidFlag))
        {
            return false;
        }

        if (!system)
        {
            flag = Encoding.ASCII.GetString(atom);
            return true;
        }

        flag = CanonicalSystemFlag(atom) ?? "\\" + Encoding.ASCII.GetString(atom);
        if (!allowRecent && flag == "\\Recent")
        {
            // RFC 3501 §9: \Recent cannot be stored or appended.
            return Fail(ImapParseErrors.InvalidFlag);
        }

        return true;
    }

    private static string? CanonicalSystemFlag(ReadOnlySpan<byte> atom) =>
        Ascii.EqualsIgnoreCase(atom, "Seen"u8) ? "\\Seen"
        : Ascii.EqualsIgnoreCase(atom, "Answered"u8) ? "\\Answered"
        : Ascii.EqualsIgnoreCase(atom, "Flagged"u8) ? "\\Flagged"
        : Ascii.EqualsIgnoreCase(atom, "Deleted"u8) ? "\\Deleted"
        : Ascii.EqualsIgnoreCase(atom, "Draft"u8) ? "\\Draft"
        : Ascii.EqualsIgnoreCase(atom, "Recent"u8) ? "\\Recent"
        : null;

    /// <summary>RFC 9051 §9 <c>flag-list</c>: <c>"(" [flag *(SP flag)] ")"</c>.</summary>
    public bool ParseFlagList(out List<string> flags)
    {
        flags = [];
        if (!ExpectChar((byte)'(', ImapParseErrors.InvalidFlag))
        {
            return false;
        }

        if (TryChar((byte)')'))
        {
            return true;
        }

        do
        {
            if (!ParseFlag(out var flag, allowRecent: false))
            {
                return false;
            }

            flags.Add(flag);
        }
        while (TryChar((byte)' '));

        return ExpectChar((byte)')', ImapParseErrors.InvalidFlag);
    }

    /// <summary>RFC 9051 §9 <c>date</c>: <c>date-text</c> or <c>DQUOTE date-text DQUOTE</c>.</summary>
    public bool ParseDate(out DateOnly date)
    {
        var quoted = TryChar((byte)'"');
        if (!ParseDateText(out date))
        {
            return false;
        }

        return !quoted || ExpectChar((byte)'"', ImapParseErrors.InvalidDate);
    }

    private bool ParseDateText(out DateOnly date)
    {
        date = default;
        if (!ParseDigits(1, 2, out var day) || !ExpectChar((byte)'-', ImapParseErrors.InvalidDate)
            || !ParseMonth(out var month) || !ExpectChar((byte)'-', ImapParseErrors.InvalidDate)
            || !ParseDigits(4, 4, out var year))
        {
            return Fail(ImapParseErrors.InvalidDate);
        }

        if (year < 1 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return Fail(ImapParseErrors.InvalidDate);
        }

        date = new DateOnly(year, month, day);
        return true;
    }

    /// <summary>RFC 9051 §9 <c>date-time</c>: <c>"dd-Mon-yyyy hh:mm:ss +zzzz"</c> (the day may be <c>SP DIGIT</c>).</summary>
    public bool ParseDateTime(out DateTimeOffset value)
    {
        value = default;
        if (!ExpectChar((byte)'"', ImapParseErrors.InvalidDate))
        {
            return false;
        }

        TryChar((byte)' ');
        if (!ParseDigits(1, 2, out var day) || !ExpectChar((byte)'-', ImapParseErrors.InvalidDate)
            || !ParseMonth(out var month) || !ExpectChar((byte)'-', ImapParseErrors.InvalidDate)
            || !ParseDigits(4, 4, out var year) || !ExpectChar((byte)' ', ImapParseErrors.InvalidDate)
            || !ParseDigits(2, 2, out var hour) || !ExpectChar((byte)':', ImapParseErrors.InvalidDate)
            || !ParseDigits(2, 2, out var minute) || !ExpectChar((byte)':', ImapParseErrors.InvalidDate)
            || !ParseDigits(2, 2, out var second) || !ExpectChar((byte)' ', ImapParseErrors.InvalidDate))
        {
            return Fail(ImapParseErrors.InvalidDate);
        }

        var sign = TryChar((byte)'+') ? 1 : TryChar((byte)'-') ? -1 : 0;
        if (sign == 0 || !ParseDigits(2, 2, out var zoneHours) || !ParseDigits(2, 2, out var zoneMinutes)
            || !ExpectChar((byte)'"', ImapParseErrors.InvalidDate))
        {
            return Fail(ImapParseErrors.InvalidDate);
        }

        if (year < 1 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 60
            || zoneHours > 14 || zoneMinutes > 59)
        {
            return Fail(ImapParseErrors.InvalidDate);
        }

        // A leap second (":60") is folded into the next minute's first second minus one; DateTime has no leap seconds.
        var offset = new TimeSpan(zoneHours, zoneMinutes, 0) * sign;
        value = new DateTimeOffset(year, month, day, hour, minute, Math.Min(second, 59), offset);
        return true;
    }

    private bool ParseDigits(int min, int max, out int value)
    {
        value = 0;
        var count = 0;
        while (count < max && Position < _data.Length && char.IsAsciiDigit((char)_data[Position]))
        {
            value = (value * 10) + (_data[Position++] - '0');
            count++;
        }

        return count >= min || Fail(ImapParseErrors.InvalidDate);
    }

    private bool ParseMonth(out int month)
    {
        month = 0;
        if (Remaining < 3)
        {
            return Fail(ImapParseErrors.InvalidDate);
        }

        ReadOnlySpan<byte> text = _data.Slice(Position, 3);
        var months = "JANFEBMARAPRMAYJUNJULAUGSEPOCTNOVDEC"u8;
        for (var i = 0; i < 12; i++)
        {
            if (Ascii.EqualsIgnoreCase(text, months.Slice(i * 3, 3)))
            {
                month = i + 1;
                Position += 3;
                return true;
            }
        }

        return Fail(ImapParseErrors.InvalidDate);
    }
}
