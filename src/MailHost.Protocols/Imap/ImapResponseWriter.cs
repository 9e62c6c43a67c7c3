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
        int length = Base64.GetMaxEncodedToUtf8Length(challenge.Length);
        Span<byte> span = _output.GetSpan(length);
        Base64.EncodeToUtf8(challenge, span, out _, out int written);
        _output.Advance(written);
        WriteCrlf();
    }

    /// <summary>Writes <c>* CAPABILITY a b c</c> CRLF. Capability names are server-made atoms.</summary>
    public void WriteCapability(IEnumerable<string> capabilities)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        WriteRaw("* CAPABILITY"u8);
        foreach (string capability in capabilities)
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
        foreach (string capability in capabilities)
        {
            WriteSpace();
            WriteAtom(capability);
        }

        WriteCrlf();
    }

    /// <summary>
    /// Writes <c>* LIST (attributes) delimiter mailbox [extended]</c> CRLF (RFC 9051 §7.3.1); <paramref name="command"/>
    /// is <c>LIST</c> or <c>LSUB</c>. <paramref name="childInfo"/> adds the RFC 5258 <c>("CHILDINFO" ("SUBSCRIBED"))</c> item,
    /// <paramref name="oldName"/> the RFC 9051 <c>("OLDNAME" (name))</c> item.
    /// </summary>
    public void WriteList(
        ReadOnlySpan<byte> command, IEnumerable<string> attributes, char? delimiter, string mailbox, bool childInfo = false, string? oldName = null)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        WriteRaw("* "u8);
        WriteRaw(command);
        WriteRaw(" ("u8);
        bool first = true;
        foreach (string attribute in attributes)
        {
            if (!IsFlag(attribute))
            {
                continue;
            }

            if (!first)
            {
                WriteSpace();
            }

            first = false;
            WriteAscii(attribute);
        }

        WriteRaw(") "u8);
        if (delimiter is null)
        {
            WriteRaw("NIL"u8);
        }
        else
        {
            WriteQuoted(delimiter.Value.ToString());
        }

        WriteSpace();
        WriteMailbox(mailbox);
        if (childInfo || oldName is not null)
        {
            WriteRaw(" ("u8);
            if (childInfo)
            {
                WriteRaw("\"CHILDINFO\" (\"SUBSCRIBED\")"u8);
            }

            if (oldName is not null)
            {
                if (childInfo)
                {
                    WriteSpace();
                }

                WriteRaw("\"OLDNAME\" ("u8);
                WriteMailbox(oldName);
                WriteByte((byte)')');
            }

            WriteByte((byte)')');
        }

        WriteCrlf();
    }

    /// <summary>Writes <c>* STATUS mailbox (item value ...)</c> CRLF (RFC 9051 §7.3.2); items in the given order.</summary>
    public void WriteStatus(string mailbox, IEnumerable<KeyValuePair<ImapStatusItems, ulong>> items, string? mailboxId = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        WriteRaw("* STATUS "u8);
        WriteMailbox(mailbox);
        WriteRaw(" ("u8);
        bool first = true;
        foreach (var (item, value) in items)
        {
            if (!first)
            {
                WriteSpace();
            }

            first = false;
            WriteRaw(StatusItemName(item));
            WriteSpace();
            WriteNumber(value);
        }

        if (mailboxId is not null)
        {
            // RFC 8474 §4.2: MAILBOXID (objectid), an atom the server made.
            WriteRaw(first ? "MAILBOXID ("u8 : " MAILBOXID ("u8);
            WriteAtom(mailboxId);
            WriteByte((byte)')');
        }

        WriteRaw(")\r\n"u8);
    }

    private static ReadOnlySpan<byte> StatusItemName(ImapStatusItems item) => item switch
    {
        ImapStatusItems.Messages => "MESSAGES"u8,
        ImapStatusItems.UidNext => "UIDNEXT"u8,
        ImapStatusItems.UidValidity => "UIDVALIDITY"u8,
        ImapStatusItems.Unseen => "UNSEEN"u8,
        ImapStatusItems.Deleted => "DELETED"u8,
        ImapStatusItems.Size => "SIZE"u8,
        ImapStatusItems.Recent => "RECENT"u8,
        ImapStatusItems.HighestModSeq => "HIGHESTMODSEQ"u8,
        ImapStatusItems.AppendLimit => "APPENDLIMIT"u8,
        _ => throw new ArgumentOutOfRangeException(nameof(item), "One numeric status item at a time."),
    };

    /// <summary>Writes <c>* SEARCH n n ... [(MODSEQ m)]</c> CRLF (RFC 3501 §7.2.5, RFC 7162 §3.1.5); also used for SORT with <paramref name="name"/> <c>SORT</c>.</summary>
    public void WriteSearch(IEnumerable<uint> numbers, ulong? highestModSeq = null, string name = "SEARCH")
    {
        ArgumentNullException.ThrowIfNull(numbers);
        WriteRaw("* "u8);
        WriteAtom(name);
        foreach (uint number in numbers)
        {
            WriteSpace();
            WriteNumber(number);
        }

        if (highestModSeq is not null)
        {
            WriteRaw(" (MODSEQ "u8);
            WriteNumber(highestModSeq.Value);
            WriteByte((byte)')');
        }

        WriteCrlf();
    }

    /// <summary>
    /// Writes <c>* THREAD</c> and the threads CRLF (RFC 5256 §5). A message with one child is followed by it
    /// (<c>(1 2 3)</c>); two or more children are each a nested list (<c>(1 (2)(3 4))</c>); a thread whose root is
    /// a dummy is the list of its children (<c>((2)(3))</c>). Dummies below a thread root have no place in the
    /// grammar: their children are written as children of the dummy's parent. Dummies without children are left out.
    /// Iterative, so any depth is safe.
    /// </summary>
    public void WriteThread(IReadOnlyList<ImapThreadNode> threads)
    {
        ArgumentNullException.ThrowIfNull(threads);

        // thread-data = "THREAD" [SP 1*thread-list]; the lists follow each other without spaces.
        var heads = threads.Where(t => !t.IsDummy || Visible(t.Children).Count > 0).ToList();
        WriteRaw(heads.Count > 0 ? "* THREAD "u8 : "* THREAD"u8);
        var work = new Stack<(ThreadStep Step, ImapThreadNode? Node)>();
        for (int i = heads.Count - 1; i >= 0; i--)
        {
            PushList(work, heads[i]);
        }

        while (work.Count > 0)
        {
            var (step, node) = work.Pop();
            switch (step)
            {
                case ThreadStep.Open:
                    WriteByte((byte)'(');
                    break;
                case ThreadStep.Close:
                    WriteByte((byte)')');
                    break;
                default:
                    // thread-members = nz-number *(SP nz-number) [SP thread-nested]; thread-nested = 2*thread-list.
                    var children = Visible(node!.Children);
                    if (node.Number is { } number)
                    {
                        WriteNumber(number);
                        if (children.Count > 0)
                        {
                            WriteSpace();
                        }
                    }

                    if (children.Count == 1)
                    {
                        work.Push((ThreadStep.Members, children[0]));
                    }
                    else
                    {
                        for (int i = children.Count - 1; i >= 0; i--)
                        {
                            PushList(work, children[i]);
                        }
                    }

                    break;
            }
        }

        WriteCrlf();

        static void PushList(Stack<(ThreadStep, ImapThreadNode?)> work, ImapThreadNode node)
        {
            work.Push((ThreadStep.Close, null));
            work.Push((ThreadStep.Members, node));
            work.Push((ThreadStep.Open, null));
        }

        // The nodes to write in place of these: a dummy stands for its children, and one without children for nothing.
        static List<ImapThreadNode> Visible(IReadOnlyList<ImapThreadNode> nodes)
        {
            var visible = new List<ImapThreadNode>(nodes.Count);
            var pending = new Stack<ImapThreadNode>();
            for (int i = nodes.Count - 1; i >= 0; i--)
            {
                pending.Push(nodes[i]);
            }

            while (pending.Count > 0)
            {
                var node = pending.Pop();
                if (!node.IsDummy)
                {
                    visible.Add(node);
                    continue;
                }

                for (int i = node.Children.Count - 1; i >= 0; i--)
                {
                    pending.Push(node.Children[i]);
                }
            }

            return visible;
        }
    }

    private enum ThreadStep
    {
        Members,
        Open,
        Close,
    }

    /// <summary>
    /// Writes <c>* ESEARCH (TAG "t") [UID] [MIN n] [MAX n] [ALL set] [COUNT n] [MODSEQ m]</c> CRLF (RFC 4731 §3.1, RFC 7162).
    /// Items that are null are left out.
    /// </summary>
    public void WriteEsearch(string tag, bool isUid, uint? min = null, uint? max = null, ImapSequenceSet? all = null, uint? count = null, ulong? modSeq = null)
    {
        WriteRaw("* ESEARCH (TAG "u8);
        WriteQuoted(tag);
        WriteByte((byte)')');
        if (isUid)
        {
            WriteRaw(" UID"u8);
        }

        WriteOptionalNumber(" MIN "u8, min);
        WriteOptionalNumber(" MAX "u8, max);
        if (all is not null)
        {
            WriteRaw(" ALL "u8);
            WriteSequenceSet(all);
        }

        WriteOptionalNumber(" COUNT "u8, count);
        if (modSeq is not null)
        {
            WriteRaw(" MODSEQ "u8);
            WriteNumber(modSeq.Value);
        }

        WriteCrlf();
    }

    private void WriteOptionalNumber(ReadOnlySpan<byte> prefix, uint? value)
    {
        if (value is not null)
        {
            WriteRaw(prefix);
            WriteNumber(value.Value);
        }
    }

    /// <summary>Writes <c>* n FETCH (</c>; the session then writes items separated by <see cref="WriteSpace"/> and ends with <see cref="WriteFetchEnd"/>.</summary>
    public void WriteFetchStart(uint sequenceNumber)
    {
        WriteRaw("* "u8);
        WriteNumber(sequenceNumber);
        WriteRaw(" FETCH ("u8);
    }

    /// <summary>Writes <c>)</c> CRLF.</summary>
    public void WriteFetchEnd() => WriteRaw(")\r\n"u8);

    // ---- building blocks -------------------------------------------------------------------------------------

    /// <summary>Writes trusted protocol bytes as they are (item names, fixed text). Never pass client data here.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        Span<byte> span = _output.GetSpan(bytes.Length);
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
        Span<byte> span = _output.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out int written);
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

    private static bool IsFlag(string flag)
    {
        if (flag == "\\*")
        {
            // RFC 9051 §7.1 flag-perm: "\*" in PERMANENTFLAGS says new keywords may be created.
            return true;
        }

        ReadOnlySpan<char> atom = flag.StartsWith('\\') ? flag.AsSpan(1) : flag.AsSpan();
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
        for (int i = 0; i < flags.Count; i++)
        {
            string flag = flags[i];
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

        for (int i = 0; i < set.Ranges.Count; i++)
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
        int length = Encoding.UTF8.GetByteCount(value);
        WriteLiteralHeader(length);
        Span<byte> span = _output.GetSpan(length);
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

        int max = name.Length * ModifiedUtf7.MaxBytesPerChar;
        byte[]? rented = null;
        Span<byte> encoded = max <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            if (!ModifiedUtf7.TryEncode(name, encoded, out int written))
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
        Span<byte> span = _output.GetSpan(28);
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
        int offset = (int)value.Offset.TotalMinutes;
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

    // ---- envelope and body structure -------------------------------------------------------------------------

    /// <summary>Writes an ENVELOPE value (the parenthesised list, RFC 9051 §7.5.2), without the <c>ENVELOPE </c> name.</summary>
    public void WriteEnvelope(ImapEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        WriteByte((byte)'(');
        WriteNString(envelope.Date);
        WriteSpace();
        WriteNString(envelope.Subject);
        WriteSpace();
        WriteAddresses(envelope.From);
        WriteSpace();

        // RFC 9051 §7.5.2: an absent Sender or Reply-To is sent as the From value.
        WriteAddresses(envelope.Sender is { Count: > 0 } ? envelope.Sender : envelope.From);
        WriteSpace();
        WriteAddresses(envelope.ReplyTo is { Count: > 0 } ? envelope.ReplyTo : envelope.From);
        WriteSpace();
        WriteAddresses(envelope.To);
        WriteSpace();
        WriteAddresses(envelope.Cc);
        WriteSpace();
        WriteAddresses(envelope.Bcc);
        WriteSpace();
        WriteNString(envelope.InReplyTo);
        WriteSpace();
        WriteNString(envelope.MessageId);
        WriteByte((byte)')');
    }

    private void WriteAddresses(IReadOnlyList<ImapAddress>? addresses)
    {
        if (addresses is null || addresses.Count == 0)
        {
            WriteRaw("NIL"u8);
            return;
        }

        WriteByte((byte)'(');
        foreach (var address in addresses)
        {
            WriteByte((byte)'(');
            WriteNString(address.Name);
            WriteSpace();
            WriteNString(address.Route);
            WriteSpace();
            WriteNString(address.Mailbox);
            WriteSpace();
            WriteNString(address.Host);
            WriteByte((byte)')');
        }

        WriteByte((byte)')');
    }

    /// <summary>
    /// Writes a BODY (<paramref name="extensible"/> false) or BODYSTRUCTURE (true) value, without the item name
    /// (RFC 9051 §7.5.2). Nesting deeper than <paramref name="maxDepth"/> is clipped: deeper parts are written as
    /// empty <c>application/octet-stream</c> parts, so a MIME bomb cannot exhaust the stack (SECURITY C4, C8).
    /// </summary>
    public void WriteBodyStructure(ImapBodyStructure body, bool extensible, int maxDepth = 100)
    {
        ArgumentNullException.ThrowIfNull(body);
        WriteBodyPart(body, extensible, maxDepth);
    }

    private void WriteBodyPart(ImapBodyStructure body, bool extensible, int depthLeft)
    {
        if (depthLeft <= 0)
        {
            WriteRaw("(\"application\" \"octet-stream\" NIL NIL NIL \"7BIT\" 0)"u8);
            return;
        }

        WriteByte((byte)'(');
        if (body.IsMultipart && body.Parts is { Count: > 0 })
        {
            // body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart].
            foreach (var part in body.Parts)
            {
                WriteBodyPart(part, extensible, depthLeft - 1);
            }

            WriteSpace();
            WriteString(body.Subtype);
            if (extensible)
            {
                WriteSpace();
                WriteParameters(body.Parameters);
                WriteExtensionTail(body);
            }

            WriteByte((byte)')');
            return;
        }

        // body-type-1part: media type, subtype, body-fields (params id desc enc octets).
        WriteString(body.Type);
        WriteSpace();
        WriteString(body.Subtype);
        WriteSpace();
        WriteParameters(body.Parameters);
        WriteSpace();
        WriteNString(body.Id);
        WriteSpace();
        WriteNString(body.Description);
        WriteSpace();
        WriteString(body.Encoding);
        WriteSpace();
        WriteNumber((ulong)Math.Max(0, body.Size));
        if (body.IsMessage)
        {
            // body-type-msg = media-message SP body-fields SP envelope SP body SP body-fld-lines.
            WriteSpace();
            WriteEnvelope(body.Envelope!);
            WriteSpace();
            WriteBodyPart(body.Parts![0], extensible, depthLeft - 1);
            WriteSpace();
            WriteNumber((ulong)Math.Max(0, body.Lines ?? 0));
        }
        else if (body.Lines is not null)
        {
            WriteSpace();
            WriteNumber((ulong)Math.Max(0, body.Lines.Value));
        }

        if (extensible)
        {
            // body-ext-1part = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc]]].
            WriteSpace();
            WriteNString(body.Md5);
            WriteExtensionTail(body);
        }

        WriteByte((byte)')');
    }

    private void WriteExtensionTail(ImapBodyStructure body)
    {
        WriteSpace();
        if (body.Disposition is null)
        {
            WriteRaw("NIL"u8);
        }
        else
        {
            WriteByte((byte)'(');
            WriteString(body.Disposition);
            WriteSpace();
            WriteParameters(body.DispositionParameters);
            WriteByte((byte)')');
        }

        WriteSpace();
        if (body.Language is null || body.Language.Count == 0)
        {
            WriteRaw("NIL"u8);
        }
        else if (body.Language.Count == 1)
        {
            WriteString(body.Language[0]);
        }
        else
        {
            WriteByte((byte)'(');
            for (int i = 0; i < body.Language.Count; i++)
            {
                if (i > 0)
                {
                    WriteSpace();
                }

                WriteString(body.Language[i]);
            }

            WriteByte((byte)')');
        }

        WriteSpace();
        WriteNString(body.Location);
    }

    private void WriteParameters(IReadOnlyList<KeyValuePair<string, string>>? parameters)
    {
        if (parameters is null || parameters.Count == 0)
        {
            WriteRaw("NIL"u8);
            return;
        }

        WriteByte((byte)'(');
        for (int i = 0; i < parameters.Count; i++)
        {
            if (i > 0)
            {
                WriteSpace();
            }

            WriteString(parameters[i].Key);
            WriteSpace();
            WriteString(parameters[i].Value);
        }

        WriteByte((byte)')');
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private bool CanQuote(string value)
    {
        if (value.Length > MaxQuotedLength)
        {
            return false;
        }

        foreach (char c in value)
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
        for (int i = 0; i < value.Length; i++)
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
        int max = (Encoding.UTF8.GetMaxByteCount(value.Length) * 2) + 2;
        Span<byte> span = _output.GetSpan(max);
        int n = 0;
        span[n++] = (byte)'"';
        Span<byte> utf8 = stackalloc byte[4];
        foreach (Rune rune in value.EnumerateRunes())
        {
            if (rune.Value is '"' or '\\')
            {
                span[n++] = (byte)'\\';
            }

            int written = rune.EncodeToUtf8(utf8);
            utf8[..written].CopyTo(span[n..]);
            n += written;
        }

        span[n++] = (byte)'"';
        _output.Advance(n);
    }

    private void WriteQuotedAscii(ReadOnlySpan<byte> bytes)
    {
        Span<byte> span = _output.GetSpan((bytes.Length * 2) + 2);
        int n = 0;
        span[n++] = (byte)'"';
        foreach (byte b in bytes)
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
        foreach (byte b in bytes)
        {
            if (!AStringChars.Contains((char)b))
            {
                return false;
            }
        }

        return true;
    }

    private void WriteAscii(string value)
    {
        Span<byte> span = _output.GetSpan(value.Length);
        int written = Encoding.ASCII.GetBytes(value, span);
        _output.Advance(written);
    }

    /// <summary>Server-made text: written as UTF-8 with CR, LF and NUL replaced by spaces so it stays on its line.</summary>
    private void WriteText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        Span<byte> span = _output.GetSpan(max);
        int written = Encoding.UTF8.GetBytes(text, span);
        foreach (ref byte b in span[..written])
        {
            if (b is (byte)'\r' or (byte)'\n' or 0)
            {
                b = (byte)' ';
            }
        }

        _output.Advance(written);
    }
}
