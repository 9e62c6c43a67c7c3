namespace MailHost.Protocols.Imap;

/// <summary>
/// One FETCH response, <c>* n FETCH (item SP item ...)</c> CRLF (RFC 9051 §7.5.2), written item by item over the
/// primitives of <see cref="ImapResponseWriter"/>. It places the spaces between items and remembers which of UID,
/// FLAGS and MODSEQ went out, so the session can add the ones the RFCs require without writing one twice.
/// </summary>
/// <remarks>
/// A mutable struct kept as a local of the method that writes the response, also across the awaits of a literal's
/// content: no allocation per message. Items whose value is message content (<c>BODY[...]</c>, <c>BINARY[...]</c>,
/// <c>RFC822...</c>) are written as a label by <see cref="BeginSection"/>, <see cref="BeginBinary"/> or
/// <see cref="BeginRfc822"/>; the caller then writes the value (a literal, a quoted empty string or NIL).
/// </remarks>
public struct ImapFetchResponse
{
    private readonly ImapResponseWriter _writer;
    private bool _started;

    /// <summary>Writes <c>* n FETCH (</c>.</summary>
    public ImapFetchResponse(ImapResponseWriter writer, uint sequenceNumber)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
        writer.WriteRaw("* "u8);
        writer.WriteNumber(sequenceNumber);
        writer.WriteRaw(" FETCH ("u8);
    }

    /// <summary>True once <c>UID</c> has been written.</summary>
    public bool HasUid { get; private set; }

    /// <summary>True once <c>FLAGS</c> has been written.</summary>
    public bool HasFlags { get; private set; }

    /// <summary>True once <c>MODSEQ</c> has been written.</summary>
    public bool HasModSeq { get; private set; }

    /// <summary><c>UID n</c>; written once however often it is asked for.</summary>
    public void Uid(uint uid)
    {
        if (HasUid)
        {
            return;
        }

        Next();
        _writer.WriteRaw("UID "u8);
        _writer.WriteNumber(uid);
        HasUid = true;
    }

    /// <summary>
    /// <c>FLAGS (...)</c>: <paramref name="systemFlags"/> are the system flags already spelled (e.g. <c>\Seen \Recent</c>),
    /// then the keywords (see <see cref="ImapResponseWriter.WriteFlagList(ReadOnlySpan{byte}, IReadOnlyList{string})"/>).
    /// </summary>
    public void Flags(ReadOnlySpan<byte> systemFlags, IReadOnlyList<string> keywords)
    {
        Next();
        _writer.WriteRaw("FLAGS "u8);
        _writer.WriteFlagList(systemFlags, keywords);
        HasFlags = true;
    }

    /// <summary><c>INTERNALDATE "dd-Mon-yyyy hh:mm:ss +zzzz"</c>.</summary>
    public void InternalDate(DateTimeOffset value)
    {
        Next();
        _writer.WriteRaw("INTERNALDATE "u8);
        _writer.WriteDateTime(value);
    }

    /// <summary><c>SAVEDATE "..."</c> (RFC 8514 §4).</summary>
    public void SaveDate(DateTimeOffset value)
    {
        Next();
        _writer.WriteRaw("SAVEDATE "u8);
        _writer.WriteDateTime(value);
    }

    /// <summary><c>RFC822.SIZE n</c>.</summary>
    public void Rfc822Size(long size)
    {
        Next();
        _writer.WriteRaw("RFC822.SIZE "u8);
        _writer.WriteNumber((ulong)Math.Max(0, size));
    }

    /// <summary><c>MODSEQ (n)</c> (RFC 7162 §3.1.4.1).</summary>
    public void ModSeq(ulong modSeq)
    {
        Next();
        _writer.WriteRaw("MODSEQ ("u8);
        _writer.WriteNumber(modSeq);
        _writer.WriteByte((byte)')');
        HasModSeq = true;
    }

    /// <summary><c>EMAILID (id)</c> (RFC 8474 §5.1); the id is a server-made atom.</summary>
    public void EmailId(string emailId)
    {
        Next();
        _writer.WriteRaw("EMAILID ("u8);
        _writer.WriteAtom(emailId);
        _writer.WriteByte((byte)')');
    }

    /// <summary><c>THREADID (id)</c> (RFC 8474 §5.2); the id is a server-made atom.</summary>
    public void ThreadId(string threadId)
    {
        Next();
        _writer.WriteRaw("THREADID ("u8);
        _writer.WriteAtom(threadId);
        _writer.WriteByte((byte)')');
    }

    /// <summary><c>PREVIEW "text"</c>, or <c>PREVIEW NIL</c> when there is none (RFC 8970 §3).</summary>
    public void Preview(string? preview)
    {
        Next();
        _writer.WriteRaw("PREVIEW "u8);
        _writer.WriteNString(string.IsNullOrEmpty(preview) ? null : preview);
    }

    /// <summary><c>ENVELOPE (...)</c>.</summary>
    public void Envelope(ImapEnvelope envelope)
    {
        Next();
        _writer.WriteRaw("ENVELOPE "u8);
        _writer.WriteEnvelope(envelope);
    }

    /// <summary><c>BODYSTRUCTURE (...)</c> when <paramref name="extensible"/>, otherwise <c>BODY (...)</c>.</summary>
    public void BodyStructure(ImapBodyStructure body, bool extensible)
    {
        Next();
        _writer.WriteRaw(extensible ? "BODYSTRUCTURE "u8 : "BODY "u8);
        _writer.WriteBodyStructure(body, extensible);
    }

    /// <summary>
    /// The label <c>RFC822 </c>, <c>RFC822.HEADER </c> or <c>RFC822.TEXT </c> for <paramref name="kind"/>; the caller
    /// writes the value.
    /// </summary>
    public void BeginRfc822(ImapFetchItemKind kind)
    {
        Next();
        _writer.WriteRaw(kind switch
        {
            ImapFetchItemKind.Rfc822 => "RFC822 "u8,
            ImapFetchItemKind.Rfc822Header => "RFC822.HEADER "u8,
            ImapFetchItemKind.Rfc822Text => "RFC822.TEXT "u8,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an RFC822 item."),
        });
    }

    /// <summary>
    /// The label <c>BODY[section]&lt;origin&gt; </c> (RFC 9051 §7.5.2: the origin only for a partial fetch); the caller
    /// writes the value.
    /// </summary>
    public void BeginSection(ImapSection section, long? origin)
    {
        ArgumentNullException.ThrowIfNull(section);
        Next();
        _writer.WriteRaw("BODY["u8);
        WritePart(section.Part);
        if (section.Kind != ImapSectionKind.Full)
        {
            if (section.Part.Count > 0)
            {
                _writer.WriteByte((byte)'.');
            }

            WriteSectionText(section);
        }

        _writer.WriteByte((byte)']');
        WriteOrigin(origin);
    }

    /// <summary>
    /// The label <c>BINARY[part]&lt;origin&gt; </c>, or <c>BINARY.SIZE[part] </c> when <paramref name="size"/>
    /// (RFC 3516 §4.2); the caller writes the value.
    /// </summary>
    public void BeginBinary(IReadOnlyList<uint> part, long? origin, bool size)
    {
        ArgumentNullException.ThrowIfNull(part);
        Next();
        _writer.WriteRaw(size ? "BINARY.SIZE["u8 : "BINARY["u8);
        WritePart(part);
        _writer.WriteByte((byte)']');
        WriteOrigin(size ? null : origin);
    }

    /// <summary>Writes <c>)</c> CRLF.</summary>
    public readonly void End() => _writer.WriteRaw(")\r\n"u8);

    private void Next()
    {
        if (_started)
        {
            _writer.WriteSpace();
        }

        _started = true;
    }

    private readonly void WritePart(IReadOnlyList<uint> part)
    {
        for (var i = 0; i < part.Count; i++)
        {
            if (i > 0)
            {
                _writer.WriteByte((byte)'.');
            }

            _writer.WriteNumber(part[i]);
        }
    }

    private readonly void WriteOrigin(long? origin)
    {
        if (origin is { } value)
        {
            _writer.WriteByte((byte)'<');
            _writer.WriteNumber((ulong)value);
            _writer.WriteByte((byte)'>');
        }

        _writer.WriteSpace();
    }

    private readonly void WriteSectionText(ImapSection section)
    {
        switch (section.Kind)
        {
            case ImapSectionKind.Header:
                _writer.WriteRaw("HEADER"u8);
                break;
            case ImapSectionKind.Text:
                _writer.WriteRaw("TEXT"u8);
                break;
            case ImapSectionKind.Mime:
                _writer.WriteRaw("MIME"u8);
                break;
            default:
                _writer.WriteRaw(section.Kind == ImapSectionKind.HeaderFields ? "HEADER.FIELDS ("u8 : "HEADER.FIELDS.NOT ("u8);
                for (var i = 0; i < section.Fields.Count; i++)
                {
                    if (i > 0)
                    {
                        _writer.WriteSpace();
                    }

                    _writer.WriteAString(section.Fields[i]);
                }

                _writer.WriteByte((byte)')');
                break;
        }
    }
}
