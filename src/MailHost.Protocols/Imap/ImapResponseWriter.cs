using System.Buffers;
using System.Buffers.Text;
using System.Text;
using MailHost.Protocols.Text;

namespace MailHost.Protocols.Imap;

/// <summary>
/// Writes IMAP server responses (RFC 9051 §7) into an <see cref="IBufferWriter{T}"/>, typically the connection's
/// pipe writer. Pure and allocation-free apart from the output: nothing is flushed here. Not thread-safe.
/// </summary>
/// <remarks>
/// Every string that reaches a client from outside the server (mailbox names, keywords, envelope fields, ID values)
/// goes through <see cref="WriteAString"/>, <see cref="WriteString"/> or <see cref="WriteNString"/>, which pick an
/// atom, a quoted string or a literal by content (MailKit's rule): an atom when every character is an ATOM-CHAR (and
/// the text is not <c>NIL</c>); a quoted string when the text is printable (UTF-8 allowed once <see cref="Utf8Enabled"/>);
/// otherwise a literal (CR, LF and other controls, 8-bit text without UTF-8, or longer than
/// <see cref="MaxQuotedLength"/>). So a value can never end the line or start a new response (SECURITY E3). NUL fits
/// neither (RFC 9051 §4.3) and is written as U+FFFD; octets that may hold NUL (BINARY data) go only in a literal8.
/// Status texts and response codes are server-made; CR and LF in them are replaced by spaces as a last guard.
/// This class holds the primitives and the short responses; whole data responses are written by the extension
/// classes beside it (<see cref="ImapListWriter"/>, <see cref="ImapStatusWriter"/>, <see cref="ImapSearchWriter"/>,
/// <see cref="ImapThreadWriter"/>, <see cref="ImapEnvelopeWriter"/>, <see cref="ImapBodyStructureWriter"/>) and
/// FETCH responses by <see cref="ImapFetchResponse"/>.
/// </remarks>
public sealed class ImapResponseWriter
{
    /// <summary>Longer strings are sent as literals, as MailKit does, to keep lines short.</summary>
    public const int MaxQuotedLength = 1024;

    private static readonly SearchValues<char> AtomChars = SearchValues.Create(
        "!#$&'+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[^_`abcdefghijklmnopqrstuvwxyz|}~");

    private static readonly SearchValues<char> AStringChars = SearchValues.Create(
        "!#$&'+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz|}~");

    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    private readonly IBufferWriter<byte> _output;

    /// <summary>Creates a writer over <paramref name="output"/>.</summary>
    public ImapResponseWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    /// <summary>
    /// True after <c>ENABLE UTF8=ACCEPT</c> / IMAP4rev2: mailbox names are written as UTF-8 rather than modified
    /// UTF-7, and quoted strings may hold UTF-8 (RFC 6855 §3, RFC 9051 §5.1).
    /// </summary>
    public bool Utf8Enabled { get; set; }

    // ---- status responses ------------------------------------------------------------------------------------

    /// <summary>Writes <c>tag STATUS [code] text</c> CRLF (RFC 9051 §7.1). <paramref name="code"/> is without brackets.</summary>
    public void WriteTagged(string tag, ImapResponseStatus status, string? code, string text)
    {
        ArgumentNullException.ThrowIfNull(tag);
        WriteText(tag);
        WriteSpace();
        WriteStatusRest(status, code, text);
    }

    /// <summary>Writes <c>* STATUS [code] text</c> CRLF (<c>* BYE</c>, <c>* OK [UIDVALIDITY 3857529045]</c>, ...).</summary>
    public void WriteUntagged(ImapResponseStatus status, string? code, string text)
    {
        WriteRaw("* "u8);
        WriteStatusRest(status, code, text);
    }

    /// <summary>Writes a parse error as its response: tagged when the tag is known, else untagged.</summary>
    public void WriteError(ImapParseError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error.Tag is null)
        {
            WriteUntagged(error.Status, error.Code, error.Text);
        }
        else
        {
            WriteTagged(error.Tag, error.Status, error.Code, error.Text);
        }
    }

    /// <summary>Writes a continuation request <c>+ text</c> CRLF (RFC 9051 §7.5); an empty text gives <c>+ </c>.</summary>
    public void WriteContinuation(string text)
    {
        WriteRaw("+ "u8);
        WriteText(text);
        WriteCrlf();
    }

    /// <summary>Writes a continuation request carrying base64 data (AUTHENTICATE challenges, RFC 9051 §6.2.2).</summary>
    public void WriteContinuation(ReadOnlySpan<byte> challenge)
    {
        WriteRaw("+ "u8);
        var length = Base64.GetMaxEncodedToUtf8Length(challenge.Length);
        var span = _output.GetSpan(length);
        Base64.EncodeToUtf8(challenge, span, out _, out var written);
        _output.Advance(written);
        WriteCrlf();
    }

    /// <summary>Writes <c>* CAPABILITY a b c</c> CRLF. Capability names are server-made atoms.</summary>
    public void WriteCapability(IEnumerable<string> capabilities)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        WriteRaw("* CAPABILITY"u8);
        foreach (var capability in capabilities)
        {
            WriteSpace();
            WriteAtom(capability);
        }

        WriteCrlf();
    }

    private void WriteStatusRest(ImapResponseStatus status, string? code, string text)
    {
        WriteRaw(status switch
        {
            ImapResponseStatus.Ok => "OK"u8,
            ImapResponseStatus.No => "NO"u8,
            ImapResponseStatus.Bad => "BAD"u8,
            ImapResponseStatus.PreAuth => "PREAUTH"u8,
            ImapResponseStatus.Bye => "BYE"u8,
            _ => throw new ArgumentOutOfRangeException(nameof(status)),
        });
        WriteSpace();
        if (!string.IsNullOrEmpty(code))
        {
            WriteByte((byte)'[');
            WriteText(code);
            WriteRaw("] "u8);
        }

        WriteText(text);
        WriteCrlf();
    }

    // ---- untagged data ---------------------------------------------------------------------------------------

    /// <summary>Writes <c>* n NAME</c> CRLF, e.g. <c>* 23 EXISTS</c>, <c>* 5 EXPUNGE</c>, <c>* 1 RECENT</c>.</summary>
    public void WriteNumbered(uint number, ReadOnlySpan<byte> name)
    {
        WriteRaw("* "u8);
        WriteNumber(number);
        WriteSpace();
        WriteRaw(name);
        WriteCrlf();
    }

    /// <summary>Writes <c>* FLAGS (flags)</c> CRLF (RFC 9051 §7.3.5).</summary>
    public void WriteFlags(IReadOnlyList<string> flags)
    {
        WriteRaw("* FLAGS "u8);
        WriteFlagList(flags);
        WriteCrlf();
    }

    /// <summary>Writes <c>* ENABLED caps</c> CRLF (RFC 5161).</summary>
    public void WriteEnabled(IEnumerable<string> capabilities)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        WriteRaw("* ENABLED"u8);
        foreach (var capability in capabilities)
        {
            WriteSpace();
            WriteAtom(capability);
        }

        WriteCrlf();
    }

    // ---- building blocks -------------------------------------------------------------------------------------

    /// <summary>Writes trusted protocol bytes as they are (item names, fixed text). Never pass client data here.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        var span = _output.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        _output.Advance(bytes.Length);
    }

    /// <summary>Writes one byte.</summary>
    public void WriteByte(byte value)
    {
        _output.GetSpan(1)[0] = value;
        _output.Advance(1);
    }

    /// <summary>Writes SP.</summary>
    public void WriteSpace() => WriteByte((byte)' ');

    /// <summary>Writes CRLF.</summary>
    public void WriteCrlf() => WriteRaw("\r\n"u8);

    /// <summary>Writes a number (RFC 9051 <c>number</c>/<c>number64</c>).</summary>
    public void WriteNumber(ulong value)
    {
        var span = _output.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out var written);
        _output.Advance(written);
    }

    /// <summary>Writes a server-made atom (capability, item name).</summary>
    /// <exception cref="ArgumentException"><paramref name="atom"/> is empty or holds a character that is not an ATOM-CHAR.</exception>
    public void WriteAtom(string atom)
    {
        ArgumentNullException.ThrowIfNull(atom);
        if (atom.Length == 0 || atom.AsSpan().ContainsAnyExcept(AStringChars))
        {
            throw new ArgumentException("Not an IMAP atom.", nameof(atom));
        }

        WriteAscii(atom);
    }

    /// <summary>
    /// Writes a flag or keyword (<c>\Seen</c>, <c>$Forwarded</c>). A value that is not a valid flag (it would need quoting,
    /// e.g. <c>\Seen)</c>) is written as nothing and false is returned: flags cannot be quoted (RFC 9051 §9 <c>flag</c>), and
    /// sending one raw would let it inject syntax (SECURITY E3).
    /// </summary>
    public bool WriteFlag(string flag)
    {
        ArgumentNullException.ThrowIfNull(flag);
        if (!IsFlag(flag))
        {
            return false;
        }

        WriteAscii(flag);
        return true;
    }

    internal static bool IsFlag(string flag)
    {
        if (flag == "\\*")
        {
            // RFC 9051 §7.1 flag-perm: "\*" in PERMANENTFLAGS says new keywords may be created.
            return true;
        }

        var atom = flag.StartsWith('\\') ? flag.AsSpan(1) : flag.AsSpan();
        return !atom.IsEmpty && !atom.ContainsAnyExcept(AtomChars);
    }

    /// <summary>
    /// Writes <c>(system-flags keyword ...)</c>: <paramref name="systemFlags"/> as given (already in wire form, such as
    /// <c>\Seen \Draft</c>), then the keywords, leaving out values that are not valid flags. A FETCH of many
    /// messages writes its FLAGS this way without building a list per message.
    /// </summary>
    public void WriteFlagList(ReadOnlySpan<byte> systemFlags, IReadOnlyList<string> keywords)
    {
        ArgumentNullException.ThrowIfNull(keywords);
        WriteByte((byte)'(');
        WriteRaw(systemFlags);
        WriteFlagItems(keywords, first: systemFlags.IsEmpty);
        WriteByte((byte)')');
    }

    /// <summary>Writes <c>(flag flag ...)</c>, leaving out values that are not valid flags (see <see cref="WriteFlag"/>).</summary>
    public void WriteFlagList(IReadOnlyList<string> flags)
    {
        ArgumentNullException.ThrowIfNull(flags);
        WriteByte((byte)'(');
        WriteFlagItems(flags, first: true);
        WriteByte((byte)')');
    }

    private void WriteFlagItems(IReadOnlyList<string> flags, bool first)
    {
        for (var i = 0; i < flags.Count; i++)
        {
            var flag = flags[i];
            if (!IsFlag(flag))
            {
                continue;
            }

            if (!first)
            {
                WriteSpace();
            }

            first = false;
            WriteAscii(flag);
        }
    }

    /// <summary>Writes a sequence set in its wire form (<c>1:3,7,9:*</c>, or <c>$</c>).</summary>
    public void WriteSequenceSet(ImapSequenceSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (set.IsSavedResult)
        {
            WriteByte((byte)'$');
            return;
        }

        for (var i = 0; i < set.Ranges.Count; i++)
        {
            if (i > 0)
            {
                WriteByte((byte)',');
            }

            var range = set.Ranges[i];
            WriteSeqNumber(range.Start);
            if (range.End != range.Start)
            {
                WriteByte((byte)':');
                WriteSeqNumber(range.End);
            }
        }
    }

    private void WriteSeqNumber(uint value)
    {
        if (value == ImapSequenceRange.Star)
        {
            WriteByte((byte)'*');
        }
        else
        {
            WriteNumber(value);
        }
    }

    /// <summary>Writes an <c>astring</c>: atom, quoted string or literal by content (see the type remarks).</summary>
    public void WriteAString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > 0 && value.Length <= MaxQuotedLength && !value.AsSpan().ContainsAnyExcept(AStringChars)
            && !value.Equals("NIL", StringComparison.OrdinalIgnoreCase))
        {
            WriteAscii(value);
            return;
        }

        WriteString(value);
    }

    /// <summary>
    /// Writes a <c>string</c>: a quoted string when the text is printable and short, otherwise a literal. NUL, which
    /// no string can carry, is written as U+FFFD.
    /// </summary>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0'))
        {
            // RFC 9051 §4.3, §9: quoted strings exclude CR, LF and NUL, and literal data is CHAR8 (%x01-ff). A NUL
            // in a header (appended with a literal8) would otherwise end the value early in many clients' parsers.
            value = value.Replace('\0', '\uFFFD');
        }

        if (CanQuote(value))
        {
            WriteQuotedCore(value);
        }
        else
        {
            WriteLiteral(value);
        }
    }

    /// <summary>Writes an <c>nstring</c>: <c>NIL</c> for null, else <see cref="WriteString"/>.</summary>
    public void WriteNString(string? value)
    {
        if (value is null)
        {
            WriteRaw("NIL"u8);
        }
        else
        {
            WriteString(value);
        }
    }

    /// <summary>Writes a quoted string, or a literal when the text cannot be quoted.</summary>
    public void WriteQuoted(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        WriteString(value);
    }

    /// <summary>Writes <paramref name="value"/> as a literal (<c>{N}</c> CRLF UTF-8 bytes).</summary>
    public void WriteLiteral(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var length = Encoding.UTF8.GetByteCount(value);
        WriteLiteralHeader(length);
        var span = _output.GetSpan(length);
        Encoding.UTF8.GetBytes(value, span);
        _output.Advance(length);
    }

    /// <summary>Writes <paramref name="bytes"/> as a literal (or a literal8, RFC 3516, when <paramref name="binary"/>).</summary>
    public void WriteLiteral(ReadOnlySpan<byte> bytes, bool binary = false)
    {
        WriteLiteralHeader(bytes.Length, binary);
        WriteRaw(bytes);
    }

    /// <summary>
    /// Writes only <c>{N}</c> CRLF (or <c>~{N}</c> CRLF): the session streams the N bytes itself (BODY[] data).
    /// </summary>
    public void WriteLiteralHeader(long size, bool binary = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (binary)
        {
            WriteByte((byte)'~');
        }

        WriteByte((byte)'{');
        WriteNumber((ulong)size);
        WriteRaw("}\r\n"u8);
    }

    /// <summary>
    /// Writes a mailbox name: modified UTF-7 (RFC 3501 §5.1.3) or, with <see cref="Utf8Enabled"/>, UTF-8; then as an
    /// astring (a name holding CR or LF becomes a literal, SECURITY E3).
    /// </summary>
    public void WriteMailbox(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Utf8Enabled)
        {
            WriteAString(name);
            return;
        }

        var max = name.Length * ModifiedUtf7.MaxBytesPerChar;
        byte[]? rented = null;
        var encoded = max <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            if (!ModifiedUtf7.TryEncode(name, encoded, out var written))
            {
                throw new ArgumentException("The mailbox name holds an unpaired surrogate.", nameof(name));
            }

            // Modified UTF-7 output is printable ASCII: an atom or a quoted string always fits it.
            ReadOnlySpan<byte> bytes = encoded[..written];
            if (written > 0 && IsAStringAtom(bytes) && !Ascii.EqualsIgnoreCase(bytes, "NIL"u8))
            {
                WriteRaw(bytes);
            }
            else
            {
                WriteQuotedAscii(bytes);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Writes an RFC 9051 <c>date-time</c>: <c>"dd-Mon-yyyy hh:mm:ss +zzzz"</c>.</summary>
    public void WriteDateTime(DateTimeOffset value)
    {
        var span = _output.GetSpan(28);
        span[0] = (byte)'"';
        Two(span[1..], value.Day);
        span[3] = (byte)'-';
        Encoding.ASCII.GetBytes(Months[value.Month - 1], span[4..]);
        span[7] = (byte)'-';
        Utf8Formatter.TryFormat(value.Year, span[8..], out _, new StandardFormat('D', 4));
        span[12] = (byte)' ';
        Two(span[13..], value.Hour);
        span[15] = (byte)':';
        Two(span[16..], value.Minute);
        span[18] = (byte)':';
        Two(span[19..], value.Second);
        span[21] = (byte)' ';
        var offset = (int)value.Offset.TotalMinutes;
        span[22] = offset < 0 ? (byte)'-' : (byte)'+';
        offset = Math.Abs(offset);
        Two(span[23..], offset / 60);
        Two(span[25..], offset % 60);
        span[27] = (byte)'"';
        _output.Advance(28);

        static void Two(Span<byte> span, int value)
        {
            span[0] = (byte)('0' + (value / 10));
            span[1] = (byte)('0' + (value % 10));
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private bool CanQuote(string value)
    {
        if (value.Length > MaxQuotedLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c < 0x20 || c == 0x7F || (c > 0x7F && !Utf8Enabled))
            {
                return false;
            }

            if (char.IsSurrogate(c))
            {
                // Quoting validates nothing about pairs; a literal carries whatever UTF-8 encoding gives.
                return Utf8Enabled && !HasLoneSurrogate(value);
            }
        }

        return true;
    }

    private static bool HasLoneSurrogate(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return true;
            }
        }

        return false;
    }

    private void WriteQuotedCore(string value)
    {
        var max = (Encoding.UTF8.GetMaxByteCount(value.Length) * 2) + 2;
        var span = _output.GetSpan(max);
        var n = 0;
        span[n++] = (byte)'"';
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            if (rune.Value is '"' or '\\')
            {
                span[n++] = (byte)'\\';
            }

            var written = rune.EncodeToUtf8(utf8);
            utf8[..written].CopyTo(span[n..]);
            n += written;
        }

        span[n++] = (byte)'"';
        _output.Advance(n);
    }

    private void WriteQuotedAscii(ReadOnlySpan<byte> bytes)
    {
        var span = _output.GetSpan((bytes.Length * 2) + 2);
        var n = 0;
        span[n++] = (byte)'"';
        foreach (var b in bytes)
        {
            if (b is (byte)'"' or (byte)'\\')
            {
                span[n++] = (byte)'\\';
            }

            span[n++] = b;
        }

        span[n++] = (byte)'"';
        _output.Advance(n);
    }

    private static bool IsAStringAtom(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (!AStringChars.Contains((char)b))
            {
                return false;
            }
        }

        return true;
    }

    internal void WriteAscii(string value)
    {
        var span = _output.GetSpan(value.Length);
        var written = Encoding.ASCII.GetBytes(value, span);
        _output.Advance(written);
    }

    /// <summary>Server-made text: written as UTF-8 with CR, LF and NUL replaced by spaces so it stays on its line.</summary>
    private void WriteText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        var span = _output.GetSpan(max);
        var written = Encoding.UTF8.GetBytes(text, span);
        foreach (ref var b in span[..written])
        {
            if (b is (byte)'\r' or (byte)'\n' or 0)
            {
                b = (byte)' ';
            }
        }

        _output.Advance(written);
    }
}
